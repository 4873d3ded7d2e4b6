-- Invitations to join a tenant's team. Only the SHA-256 of each token is kept (token_hash), so
-- the table does not hold what accepts an invitation. open_email holds the address while the
-- invitation is pending and NULL afterwards, so the database itself allows one pending invitation
-- per address and tenant.

CREATE TABLE tenancy_invitations (
    id              VARCHAR(36)  NOT NULL PRIMARY KEY,
    tenant_id       VARCHAR(48)  NOT NULL,
    email           VARCHAR(254) NOT NULL,
    role            VARCHAR(64)  NOT NULL,
    invited_by_id   VARCHAR(200) NOT NULL,
    invited_by_role VARCHAR(64)  NOT NULL,
    token_hash      VARCHAR(64)  NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    decided_at      TIMESTAMP WITH TIME ZONE,
    decided_by      VARCHAR(200),
    open_email      VARCHAR(254),
    CONSTRAINT tenancy_invitations_token UNIQUE (token_hash),
    CONSTRAINT tenancy_invitations_one_pending UNIQUE (tenant_id, open_email)
);
CREATE INDEX tenancy_invitations_tenant_idx ON tenancy_invitations (tenant_id, created_at);
