package dev.tenancy.testkit;

import dev.tenancy.access.AccessPolicy;
import dev.tenancy.access.Impersonations;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;

class InMemoryImpersonationsTest extends ImpersonationsContract {
    @Override
    protected Impersonations newImpersonations(
            TenantCatalog catalog, AuditLog audit, AccessPolicy policy, MutableClock clock) {
        return Impersonations.builder()
                .catalog(catalog)
                .auditLog(audit)
                .policy(policy)
                .clock(clock)
                .build();
    }
}
