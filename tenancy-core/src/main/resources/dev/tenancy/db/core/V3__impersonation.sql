-- Impersonation sessions: who impersonated whom in which tenant, why, on whose permission, in which
-- mode, and when. active_actor holds the impersonator's id while the session is open and NULL once
-- it has ended, so the database itself allows one open session per admin.

CREATE TABLE tenancy_impersonations (
    id                 VARCHAR(36)   NOT NULL PRIMARY KEY,
    tenant_id          VARCHAR(48)   NOT NULL,
    impersonator_id    VARCHAR(200)  NOT NULL,
    impersonator_role  VARCHAR(64)   NOT NULL,
    user_id            VARCHAR(200)  NOT NULL,
    user_role          VARCHAR(64)   NOT NULL,
    mode               VARCHAR(16)   NOT NULL,
    reason             VARCHAR(1000) NOT NULL,
    consent_source     VARCHAR(16)   NOT NULL,
    consent_reference  VARCHAR(200)  NOT NULL,
    started_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    ended_at           TIMESTAMP WITH TIME ZONE,
    ended_by           VARCHAR(200),
    active_actor       VARCHAR(200),
    CONSTRAINT tenancy_impersonations_one_open_per_actor UNIQUE (active_actor)
);
CREATE INDEX tenancy_impersonations_tenant_idx ON tenancy_impersonations (tenant_id, started_at);
