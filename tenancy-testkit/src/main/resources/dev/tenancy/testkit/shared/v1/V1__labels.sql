-- The shared model's table: every shared tenant's labels, on each server that holds one.
CREATE TABLE labels (
    tenant_id VARCHAR(48) NOT NULL,
    id        INT         NOT NULL,
    name      VARCHAR(64) NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
