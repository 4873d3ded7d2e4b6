/**
 * The tenant model: {@link dev.tenancy.TenantId} (the only way a tenant name reaches SQL), {@link
 * dev.tenancy.Tenant}, its lifecycle ({@link dev.tenancy.TenantStatus}), isolation models, actors
 * and the exceptions every Tenancy module shares.
 */
package dev.tenancy;
