CREATE TABLE invoices (
    tenant_id   VARCHAR(48) NOT NULL,
    id          INT         NOT NULL,
    order_id    INT         NOT NULL,
    total_cents BIGINT      NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
INSERT INTO invoices (tenant_id, id, order_id, total_cents)
SELECT tenant_id, id, id, total_cents FROM orders;
