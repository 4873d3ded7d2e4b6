-- The last change each node made to its lease of a counter, by id: a change retried after its
-- outcome was unknown (the connection died at COMMIT) is applied once, and answers what it did.
ALTER TABLE tenancy_usage_leases ADD COLUMN last_operation VARCHAR(36);
ALTER TABLE tenancy_usage_leases ADD COLUMN last_result BIGINT DEFAULT 0 NOT NULL;
