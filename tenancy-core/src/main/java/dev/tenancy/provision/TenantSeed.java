package dev.tenancy.provision;

import dev.tenancy.Tenant;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Initial data for a new tenant (sample data for sandbox and trial tenants, default settings).
 * Runs once per tenant, inside a transaction on a connection to the tenant's tables (its schema
 * current; on PostgreSQL the tenant setting set for row-level security); Tenancy commits it
 * together with a marker, so a crash either keeps both or neither.
 */
@FunctionalInterface
public interface TenantSeed {
    void seed(Tenant tenant, Connection connection) throws SQLException;

    /** Seeds nothing. */
    static TenantSeed none() {
        return (tenant, connection) -> {};
    }
}
