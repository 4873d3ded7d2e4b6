-- A tenant's expiry: when a sandbox, demo or preview tenant ends by itself (NULL: never).
-- TenantOffboarding.expire finds the expired ones through the index.

ALTER TABLE tenancy_tenants ADD COLUMN expires_at TIMESTAMP WITH TIME ZONE;
CREATE INDEX tenancy_tenants_expires_idx ON tenancy_tenants (expires_at);
