/**
 * JDBC routing: {@link dev.tenancy.jdbc.TenantDataSource} hands out connections bound to the
 * current tenant under shared, schema-per-tenant and database-per-tenant isolation, across
 * several {@link dev.tenancy.jdbc.DatabaseServer}s.
 */
package dev.tenancy.jdbc;
