package dev.tenancy.billing;

import dev.tenancy.TenantId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a meter could not settle with the usage store when it closed (the database did not
 * answer), kept in a file of its own ({@link UsageMeter.Builder#unsettledFile}) so that the next
 * meter started with that file settles it: each change in the order it must reach the store, each
 * with its operation id, so that sending one again applies it once. A step is removed from the
 * file as soon as the store has it.
 */
final class UnsettledUsage {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * One change still to send.
     *
     * @param change LEASE (its answer lost: what it granted is returned), FLUSH or RETURN
     * @param id the operation id, the same on every attempt
     * @param amount what to flush or return (a lease: what it asked for)
     * @param calls the calls a flush counts
     * @param hard whether the metric has a hard limit (a flush then comes out of the lease)
     */
    record Step(
            String tenant,
            String metric,
            LocalDate periodStart,
            String change,
            String id,
            long amount,
            long calls,
            boolean hard) {

        UsageStore.CounterKey key() {
            return new UsageStore.CounterKey(TenantId.of(tenant), metric, periodStart);
        }
    }

    private UnsettledUsage() {}

    static List<Step> read(Path file) {
        if (!Files.exists(file)) {
            return new ArrayList<>();
        }
        try {
            List<Step> steps = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    steps.add(JSON.readValue(line, Step.class));
                }
            }
            return steps;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the unsettled usage in " + file, e);
        }
    }

    /** Replaces the file with {@code steps} (deletes it when there are none), atomically. */
    static void write(Path file, List<Step> steps) {
        try {
            if (steps.isEmpty()) {
                Files.deleteIfExists(file);
                return;
            }
            StringBuilder text = new StringBuilder();
            for (Step step : steps) {
                text.append(JSON.writeValueAsString(step)).append('\n');
            }
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path next = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
            Files.writeString(next, text, StandardCharsets.UTF_8);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the unsettled usage to " + file, e);
        }
    }
}
