-- Feature flags: definitions, per-tenant overrides, and one version row bumped by every change.
CREATE TABLE tenancy_flags (
    flag_key       VARCHAR(100)  NOT NULL PRIMARY KEY,
    description    VARCHAR(2000) NOT NULL,
    category       VARCHAR(20)   NOT NULL,
    default_value  BOOLEAN       NOT NULL,
    config         TEXT,
    allowlist      TEXT          NOT NULL,
    tiers          TEXT          NOT NULL,
    tenant_rollout INT           NOT NULL,
    user_rollout   INT           NOT NULL,
    requires       TEXT          NOT NULL,
    updated_at     TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE tenancy_flag_overrides (
    tenant_id  VARCHAR(48)   NOT NULL,
    flag_key   VARCHAR(100)  NOT NULL REFERENCES tenancy_flags (flag_key) ON DELETE CASCADE,
    enabled    BOOLEAN       NOT NULL,
    config     TEXT,
    expires_at TIMESTAMP WITH TIME ZONE,
    reason     VARCHAR(2000) NOT NULL,
    set_by     VARCHAR(200)  NOT NULL,
    set_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tenant_id, flag_key)
);

CREATE INDEX tenancy_flag_overrides_flag ON tenancy_flag_overrides (flag_key);

CREATE TABLE tenancy_flags_version (
    id      INT    NOT NULL PRIMARY KEY,
    version BIGINT NOT NULL
);

INSERT INTO tenancy_flags_version (id, version) VALUES (1, 0);
