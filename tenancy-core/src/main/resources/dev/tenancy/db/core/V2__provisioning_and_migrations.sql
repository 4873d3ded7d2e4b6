-- Provisioning ledger (one row per tenant: the last completed step and who holds the lease) and
-- the per-tenant migration ledger fleet runs read to find who is behind in one query.
-- No foreign key to tenancy_tenants: the catalog may live elsewhere (any TenantCatalog works).

CREATE TABLE tenancy_provisioning (
    tenant_id    VARCHAR(48)   NOT NULL PRIMARY KEY,
    completed    VARCHAR(32),
    lease_owner  VARCHAR(64),
    lease_until  TIMESTAMP WITH TIME ZONE,
    last_error   VARCHAR(2000),
    updated_at   TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE tenancy_tenant_migrations (
    tenant_id    VARCHAR(48)   NOT NULL PRIMARY KEY,
    version      VARCHAR(64),
    state        VARCHAR(16)   NOT NULL,
    error        VARCHAR(2000),
    updated_at   TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX tenancy_tenant_migrations_version_idx ON tenancy_tenant_migrations (version, state);
