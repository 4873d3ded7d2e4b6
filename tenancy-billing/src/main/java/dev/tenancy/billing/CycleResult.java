package dev.tenancy.billing;

import java.time.LocalDate;
import java.util.List;

/**
 * What a run of the subscription cycle did (or, for a dry run, would do), with the admin manual's
 * counters.
 *
 * @param periodFrom the first day of the run's period
 * @param periodTo the last day of the run's period
 * @param dryRun whether nothing was written
 * @param createdCount invoices created (or that a real run would create)
 * @param skippedExistingCount the tenant already has an invoice for its period
 * @param skippedFreeCount free platform access or a comp
 * @param skippedStatusCount the tenant is not active (suspended, archived, rejected, pending) or its
 *     subscription is not billable (trial, cancelled, expired)
 * @param skippedNoChargeCount nothing to charge (free plan, no modules)
 * @param notDueCount no billing period of the tenant starts in the run's period (quarterly, annual or
 *     anchored outside it)
 * @param invoices the invoices created (or previewed)
 */
public record CycleResult(
        LocalDate periodFrom,
        LocalDate periodTo,
        boolean dryRun,
        int createdCount,
        int skippedExistingCount,
        int skippedFreeCount,
        int skippedStatusCount,
        int skippedNoChargeCount,
        int notDueCount,
        List<Invoice> invoices) {
    public CycleResult {
        invoices = List.copyOf(invoices);
    }

    /** The counters alone, for comparing a dry run with the real run. */
    public String counters() {
        return "created=" + createdCount + " skippedExisting=" + skippedExistingCount + " skippedFree="
                + skippedFreeCount + " skippedStatus=" + skippedStatusCount + " skippedNoCharge="
                + skippedNoChargeCount + " notDue=" + notDueCount;
    }
}
