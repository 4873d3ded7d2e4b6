package dev.tenancy.testkit;

import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import java.time.Duration;

/** The cache in front of a catalog keeps the catalog's whole contract. */
class CachedTenantCatalogTest extends TenantCatalogContract {
    @Override
    protected Subject newCatalog(MutableClock clock) {
        AuditLog audit = AuditLog.inMemory(clock);
        return new Subject(TenantCatalog.cached(TenantCatalog.inMemory(audit, clock), Duration.ofMinutes(5)), audit);
    }
}
