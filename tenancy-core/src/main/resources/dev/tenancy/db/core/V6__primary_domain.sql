-- A tenant's primary domain: primary_of holds the tenant's id on that domain's row and NULL on the
-- others, so the database itself allows one primary domain per tenant.

ALTER TABLE tenancy_tenant_domains ADD COLUMN primary_of VARCHAR(48);
CREATE UNIQUE INDEX tenancy_tenant_domains_primary_idx ON tenancy_tenant_domains (primary_of);

-- Tenants verified before primary domains existed get their first verified domain (by name) as primary.
UPDATE tenancy_tenant_domains d SET primary_of = tenant_id
WHERE verified = TRUE
  AND domain = (SELECT MIN(x.domain) FROM tenancy_tenant_domains x WHERE x.tenant_id = d.tenant_id AND x.verified = TRUE);
