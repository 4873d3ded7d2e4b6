package dev.tenancy.jdbc;

import dev.tenancy.TenantId;

/**
 * The session state a physical connection must carry for a borrower.
 *
 * @param tenant the tenant, or {@code null} for the platform (system scope)
 * @param schema the schema unqualified names resolve in
 * @param readOnly whether writes must fail in the database (archived tenants)
 */
record Binding(TenantId tenant, String schema, boolean readOnly) {}
