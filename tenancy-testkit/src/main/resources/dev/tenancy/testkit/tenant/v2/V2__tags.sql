-- A second migration rolled out to the fleet after the tenants exist.
CREATE TABLE tags (
    tenant_id VARCHAR(48) NOT NULL,
    name      VARCHAR(64) NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
INSERT INTO tags (tenant_id, name) VALUES ('${tenant_id}', 'migrated');
