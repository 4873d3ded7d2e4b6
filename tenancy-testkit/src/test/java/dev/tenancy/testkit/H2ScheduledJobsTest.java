package dev.tenancy.testkit;

class H2ScheduledJobsTest extends ScheduledJobsContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
