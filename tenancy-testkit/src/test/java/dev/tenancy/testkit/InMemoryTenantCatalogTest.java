package dev.tenancy.testkit;

import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;

class InMemoryTenantCatalogTest extends TenantCatalogContract {
    @Override
    protected Subject newCatalog(MutableClock clock) {
        AuditLog audit = AuditLog.inMemory(clock);
        return new Subject(TenantCatalog.inMemory(audit, clock), audit);
    }
}
