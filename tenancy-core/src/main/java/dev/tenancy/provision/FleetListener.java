package dev.tenancy.provision;

/** Told as each tenant of a fleet migration finishes; called from the migrating threads, so be quick. */
@FunctionalInterface
public interface FleetListener {
    /**
     * @param outcome the tenant just finished
     * @param finished how many tenants are finished so far, this one included
     * @param total how many tenants the run is taking
     */
    void finished(FleetReport.Outcome outcome, int finished, int total);

    /** Listens to nothing. */
    static FleetListener none() {
        return (outcome, finished, total) -> {};
    }
}
