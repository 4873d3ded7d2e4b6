package dev.tenancy.provision;

import dev.tenancy.TenantId;
import java.util.List;
import java.util.Map;

/**
 * What one {@link TenantOffboarding#expire} sweep did.
 *
 * @param retired expired tenants taken out of service in this sweep: archived, or rejected when
 *     they were still pending approval
 * @param purged expired tenants whose data was removed in this sweep
 * @param failed tenants whose step failed, with the error; the next sweep retries them
 */
public record ExpiryReport(List<TenantId> retired, List<TenantId> purged, Map<TenantId, String> failed) {

    public ExpiryReport {
        retired = List.copyOf(retired);
        purged = List.copyOf(purged);
        failed = Map.copyOf(failed);
    }

    /** Whether the sweep found nothing to do. */
    public boolean isEmpty() {
        return retired.isEmpty() && purged.isEmpty() && failed.isEmpty();
    }
}
