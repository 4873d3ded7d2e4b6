/**
 * Hibernate ORM 7 adapter: {@link dev.tenancy.hibernate.TenancyHibernate} configures a
 * {@code SessionFactory} whose sessions follow {@link dev.tenancy.context.TenantContext}, get their
 * connections from {@link dev.tenancy.jdbc.TenantDataSource}, and whose entities are checked at
 * bootstrap for a tenant scope.
 */
package dev.tenancy.hibernate;
