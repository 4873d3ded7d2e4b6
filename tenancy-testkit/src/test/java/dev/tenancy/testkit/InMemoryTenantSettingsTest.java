package dev.tenancy.testkit;

import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.settings.TenantSettings;

class InMemoryTenantSettingsTest extends TenantSettingsContract {
    @Override
    protected TenantSettings newSettings(TenantCatalog catalog, AuditLog audit) {
        return sections().catalog(catalog).auditLog(audit).build();
    }
}
