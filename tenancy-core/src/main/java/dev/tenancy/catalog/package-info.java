/**
 * The tenant catalog: {@link dev.tenancy.catalog.TenantCatalog} with in-memory and JDBC
 * implementations, a Caffeine cache in front, lifecycle transitions, custom domains and the
 * listing an admin console needs.
 */
package dev.tenancy.catalog;
