-- Tenancy control plane: tenant catalog, verified domains, tamper-evident audit log.
-- Portable between PostgreSQL and H2; names are lowercase and unquoted.

CREATE TABLE tenancy_tenants (
    id            VARCHAR(48)  NOT NULL PRIMARY KEY,
    display_name  VARCHAR(200) NOT NULL,
    status        VARCHAR(32)  NOT NULL,
    status_reason VARCHAR(1000),
    tier          VARCHAR(64)  NOT NULL,
    isolation     VARCHAR(16)  NOT NULL,
    server        VARCHAR(64)  NOT NULL,
    owner_email   VARCHAR(320),
    attributes    VARCHAR      NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    version       BIGINT       NOT NULL
);
CREATE INDEX tenancy_tenants_status_idx ON tenancy_tenants (status);
CREATE INDEX tenancy_tenants_created_idx ON tenancy_tenants (created_at);

CREATE TABLE tenancy_tenant_domains (
    domain     VARCHAR(253) NOT NULL PRIMARY KEY,
    tenant_id  VARCHAR(48)  NOT NULL REFERENCES tenancy_tenants (id),
    verified   BOOLEAN      NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX tenancy_tenant_domains_tenant_idx ON tenancy_tenant_domains (tenant_id);

CREATE TABLE tenancy_audit_events (
    seq         BIGINT       NOT NULL PRIMARY KEY,
    action      VARCHAR(64)  NOT NULL,
    entity_type VARCHAR(64)  NOT NULL,
    entity_id   VARCHAR(200) NOT NULL,
    tenant_id   VARCHAR(48),
    actor_id    VARCHAR(200) NOT NULL,
    actor_role  VARCHAR(64)  NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    metadata    VARCHAR      NOT NULL,
    prev_hash   VARCHAR(64)  NOT NULL,
    hash        VARCHAR(64)  NOT NULL
);
CREATE INDEX tenancy_audit_events_tenant_idx ON tenancy_audit_events (tenant_id, seq);
CREATE INDEX tenancy_audit_events_created_idx ON tenancy_audit_events (created_at);

-- The head of the hash chain: one row, locked by every append so the chain stays linear,
-- and compared by verify() so that rows cut off the end are noticed too.
CREATE TABLE tenancy_audit_head (
    id        INT         NOT NULL PRIMARY KEY,
    last_seq  BIGINT      NOT NULL,
    last_hash VARCHAR(64) NOT NULL
);
INSERT INTO tenancy_audit_head (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
