CREATE TABLE orders (
    tenant_id   VARCHAR(48)  NOT NULL,
    id          INT          NOT NULL,
    customer    VARCHAR(200) NOT NULL,
    total_cents BIGINT       NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
