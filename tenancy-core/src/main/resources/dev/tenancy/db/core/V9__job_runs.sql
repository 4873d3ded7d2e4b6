-- Jobs that run once per scheduled time across every node (ScheduledJobs): who holds a job now,
-- until when, and the last scheduled time it finished for.
CREATE TABLE tenancy_job_runs (
    job              VARCHAR(100) NOT NULL PRIMARY KEY,
    holder           VARCHAR(100),
    held_until       TIMESTAMP WITH TIME ZONE,
    last_slot        TIMESTAMP WITH TIME ZONE NOT NULL,
    last_finished_at TIMESTAMP WITH TIME ZONE
);
