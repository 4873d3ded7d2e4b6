package dev.tenancy.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Where {@link JdbcAuditLog#checkpoint()} keeps the audit chain's head, outside the database, and
 * where {@link AuditLog#verify()} reads it back: a file on a disk the database's writers cannot
 * reach ({@link #file}), or an implementation of your own over object storage with a retention lock
 * (S3 Object Lock, GCS retention). Implementations are thread-safe; {@link #record} must be durable
 * when it returns.
 */
public interface AuditCheckpoints {

    /** Keeps {@code checkpoint}, after every earlier one. */
    void record(AuditCheckpoint checkpoint);

    /** Every checkpoint kept, oldest first. */
    List<AuditCheckpoint> recorded();

    /** Checkpoints in memory: for tests. */
    static AuditCheckpoints inMemory() {
        List<AuditCheckpoint> kept = new CopyOnWriteArrayList<>();
        return new AuditCheckpoints() {
            @Override
            public void record(AuditCheckpoint checkpoint) {
                kept.add(Objects.requireNonNull(checkpoint, "checkpoint"));
            }

            @Override
            public List<AuditCheckpoint> recorded() {
                return List.copyOf(kept);
            }
        };
    }

    /**
     * Checkpoints appended to {@code file}, one line each ({@code sequence hash takenAt}), written
     * with {@code SYNC}; the file is created when missing.
     */
    static AuditCheckpoints file(Path file) {
        Objects.requireNonNull(file, "file");
        return new AuditCheckpoints() {
            @Override
            public synchronized void record(AuditCheckpoint c) {
                String line = c.sequence() + " " + c.hash() + " " + c.takenAt() + "\n";
                try {
                    Files.writeString(
                            file,
                            line,
                            StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND,
                            StandardOpenOption.SYNC);
                } catch (IOException e) {
                    throw new UncheckedIOException("Could not write an audit checkpoint to " + file, e);
                }
            }

            @Override
            public synchronized List<AuditCheckpoint> recorded() {
                List<String> lines;
                try {
                    lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                } catch (NoSuchFileException e) {
                    return List.of();
                } catch (IOException e) {
                    throw new UncheckedIOException("Could not read the audit checkpoints in " + file, e);
                }
                List<AuditCheckpoint> out = new ArrayList<>();
                for (String line : lines) {
                    if (line.isBlank()) {
                        continue;
                    }
                    String[] parts = line.trim().split(" ");
                    if (parts.length != 3) {
                        throw new IllegalStateException(
                                "Audit checkpoint file " + file + " has a malformed line: " + line);
                    }
                    out.add(new AuditCheckpoint(Long.parseLong(parts[0]), parts[1], Instant.parse(parts[2])));
                }
                return out;
            }
        };
    }
}
