/**
 * Platform access control: {@link dev.tenancy.access.Permission}s granted by an {@link
 * dev.tenancy.access.AccessPolicy} to roles and actors, and audited {@link
 * dev.tenancy.access.Impersonations impersonation} of a tenant's user by platform staff.
 */
package dev.tenancy.access;
