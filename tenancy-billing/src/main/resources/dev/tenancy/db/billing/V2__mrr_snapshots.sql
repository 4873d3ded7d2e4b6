-- Per-tenant MRR on a day, for churn over a period (start and end snapshots compared).
CREATE TABLE tenancy_mrr_snapshots (
    snapshot_day DATE        NOT NULL,
    tenant_id    VARCHAR(48) NOT NULL,
    plan_key     VARCHAR(64) NOT NULL,
    currency     CHAR(3)     NOT NULL,
    mrr_minor    BIGINT      NOT NULL,
    PRIMARY KEY (snapshot_day, tenant_id)
);
