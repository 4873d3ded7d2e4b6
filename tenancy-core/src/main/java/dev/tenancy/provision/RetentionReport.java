package dev.tenancy.provision;

import dev.tenancy.TenantId;
import java.util.List;
import java.util.Map;

/**
 * What one {@link TenantOffboarding#purgeRetained} sweep did.
 *
 * @param purged archived tenants whose retention had passed, purged in this sweep
 * @param failed tenants whose purge failed, with the error; the next sweep retries them
 */
public record RetentionReport(List<TenantId> purged, Map<TenantId, String> failed) {

    public RetentionReport {
        purged = List.copyOf(purged);
        failed = Map.copyOf(failed);
    }
}
