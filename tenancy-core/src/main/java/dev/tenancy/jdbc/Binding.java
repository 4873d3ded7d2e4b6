package dev.tenancy.jdbc;

import dev.tenancy.TenantId;

/**
 * The session state a physical connection must carry for a borrower.
 *
 * @param tenant the tenant, or {@code null} for the platform (system scope)
 * @param schema the schema unqualified names resolve in
 * @param readOnly whether writes must fail in the database (archived tenants)
 */
record Binding(TenantId tenant, String schema, boolean readOnly) {

    // Written out: compared on every borrow, and the generated record methods go through method
    // handles that showed up in profiles of the borrow path.
    @Override
    public boolean equals(Object o) {
        return o instanceof Binding b
                && readOnly == b.readOnly
                && java.util.Objects.equals(tenant, b.tenant)
                && java.util.Objects.equals(schema, b.schema);
    }

    @Override
    public int hashCode() {
        return (java.util.Objects.hashCode(tenant) * 31 + java.util.Objects.hashCode(schema)) * 31
                + Boolean.hashCode(readOnly);
    }
}
