/**
 * Provisioning, fleet migrations and offboarding: {@link dev.tenancy.provision.TenantProvisioner}
 * creates a tenant's storage, runs the host's Flyway migrations and seed for it and activates it,
 * resumably; {@link dev.tenancy.provision.FleetMigration} migrates every tenant (canary first,
 * bounded parallelism, resumable) against a per-tenant version ledger;
 * {@link dev.tenancy.provision.TenantOffboarding} exports an archived tenant's data and purges it.
 */
package dev.tenancy.provision;
