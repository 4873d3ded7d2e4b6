/**
 * The jOOQ 3.21 adapter: one {@link org.jooq.DSLContext} that follows {@link
 * dev.tenancy.context.TenantContext}, built by {@link dev.tenancy.jooq.TenancyJooq}.
 *
 * <p>Schema-per-tenant tenants get a derived {@link org.jooq.Configuration} whose render mapping
 * sends the schema the code was generated against to the tenant's schema; database-per-tenant
 * tenants reach their database through {@link dev.tenancy.jdbc.TenantDataSource}; shared-model
 * tenants get the tenant predicate added to every statement on a shared table. Each tenant's
 * configuration is derived once and cached.
 */
package dev.tenancy.jooq;
