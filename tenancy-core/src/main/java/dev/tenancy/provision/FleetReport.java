package dev.tenancy.provision;

import dev.tenancy.TenantId;
import java.time.Duration;
import java.util.List;

/**
 * What a fleet migration did, tenant by tenant.
 *
 * @param targetVersion the version every tenant was brought to
 * @param outcomes one per tenant considered, in the order they were taken
 * @param shared one per server whose shared-model tables were considered, by server name; empty
 *     without {@linkplain FleetMigration.Builder#sharedMigrations shared migrations}
 * @param stopped whether the run stopped early (failures passed the threshold, the canary failed, or
 *     a server's shared migration did)
 * @param elapsed how long the run took
 */
public record FleetReport(
        String targetVersion, List<Outcome> outcomes, List<SharedOutcome> shared, boolean stopped, Duration elapsed) {

    public FleetReport {
        outcomes = List.copyOf(outcomes);
        shared = List.copyOf(shared);
    }

    /** What happened to one tenant. */
    public enum Result {
        /** Migrated to the target version in this run. */
        MIGRATED,
        /** Already at the target version (by the ledger); nothing was run. */
        SKIPPED,
        /** Its migration failed; see the error. */
        FAILED,
        /** Not attempted because the run stopped first; a rerun takes it. */
        NOT_RUN
    }

    /**
     * One tenant's outcome.
     *
     * @param error the failure's message, for {@link Result#FAILED}; else {@code null}
     */
    public record Outcome(TenantId tenant, Result result, String error, Duration elapsed) {}

    /**
     * One server's shared-model tables: {@link Result#MIGRATED} when migrations ran, {@link
     * Result#SKIPPED} when they were already current, {@link Result#FAILED} with the error.
     *
     * @param version the shared migration version the server is at afterwards; {@code null} when it
     *     failed or there is none
     */
    public record SharedOutcome(String server, Result result, String version, String error, Duration elapsed) {}

    /** How many tenants had {@code result}. */
    public long count(Result result) {
        return outcomes.stream().filter(o -> o.result() == result).count();
    }

    /** Whether every tenant, and every server's shared tables, is now at the target version. */
    public boolean complete() {
        return !stopped
                && count(Result.FAILED) == 0
                && count(Result.NOT_RUN) == 0
                && shared.stream().noneMatch(o -> o.result() == Result.FAILED);
    }

    @Override
    public String toString() {
        return "FleetReport[target " + targetVersion + ": " + count(Result.MIGRATED) + " migrated, "
                + count(Result.SKIPPED) + " skipped, " + count(Result.FAILED) + " failed, " + count(Result.NOT_RUN)
                + " not run" + sharedSummary() + (stopped ? ", stopped" : "") + ", " + elapsed.toMillis() + " ms]";
    }

    private String sharedSummary() {
        if (shared.isEmpty()) {
            return "";
        }
        StringBuilder s = new StringBuilder("; shared tables:");
        for (SharedOutcome o : shared) {
            s.append(' ')
                    .append(o.server())
                    .append(' ')
                    .append(o.result().name().toLowerCase(java.util.Locale.ROOT));
        }
        return s.toString();
    }
}
