/**
 * From request to tenant: {@link dev.tenancy.resolve.TenantResolver}s read a framework-neutral
 * {@link dev.tenancy.resolve.TenantRequest}, and {@link dev.tenancy.resolve.TenantAdmission}
 * resolves it and admits the tenant through the catalog.
 */
package dev.tenancy.resolve;
