package dev.tenancy.settings;

import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditEntry;
import java.util.Map;
import java.util.Optional;

/** Where {@link TenantSettings} keeps each tenant's sections, as JSON text; writes commit with their audit event. */
interface SettingsStore {

    /** The section's stored JSON, if the tenant has one. */
    Optional<String> read(TenantId tenant, String section);

    /** Every stored section of the tenant, by key. */
    Map<String, String> readAll(TenantId tenant);

    /** Deletes every section of the tenant, with {@code event}; how many there were (none: no event). */
    int deleteAll(TenantId tenant, AuditEntry event);

    /** Stores {@code json} as the section (or removes it when {@code json} is null), with {@code event}. */
    void write(TenantId tenant, String section, String json, AuditEntry event);
}
