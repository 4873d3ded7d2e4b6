package dev.tenancy.testkit;

class PostgresScheduledJobsTest extends ScheduledJobsContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRESQL;
    }
}
