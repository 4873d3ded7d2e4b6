package dev.tenancy.provision;

import dev.tenancy.TenantId;
import java.time.Duration;
import java.util.List;

/**
 * What a fleet migration did, tenant by tenant.
 *
 * @param targetVersion the version every tenant was brought to
 * @param outcomes one per tenant considered, in the order they were taken
 * @param stopped whether the run stopped early (failures passed the threshold, or the canary failed)
 * @param elapsed how long the run took
 */
public record FleetReport(String targetVersion, List<Outcome> outcomes, boolean stopped, Duration elapsed) {

    public FleetReport {
        outcomes = List.copyOf(outcomes);
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

    public long count(Result result) {
        return outcomes.stream().filter(o -> o.result() == result).count();
    }

    /** Whether every tenant is now at the target version. */
    public boolean complete() {
        return !stopped && count(Result.FAILED) == 0 && count(Result.NOT_RUN) == 0;
    }

    @Override
    public String toString() {
        return "FleetReport[target " + targetVersion + ": " + count(Result.MIGRATED) + " migrated, "
                + count(Result.SKIPPED) + " skipped, " + count(Result.FAILED) + " failed, " + count(Result.NOT_RUN)
                + " not run" + (stopped ? ", stopped" : "") + ", " + elapsed.toMillis() + " ms]";
    }
}
