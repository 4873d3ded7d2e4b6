-- Values only the platform's role may read: the suffix of Tenancy's LISTEN/NOTIFY channel names,
-- so that tenants' sessions on the same database can neither listen in nor send (Channels).
CREATE TABLE tenancy_secrets (
    name  VARCHAR(64)  NOT NULL PRIMARY KEY,
    secret VARCHAR(128) NOT NULL
);
