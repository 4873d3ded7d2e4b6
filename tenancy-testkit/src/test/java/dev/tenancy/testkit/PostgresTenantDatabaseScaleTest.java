package dev.tenancy.testkit;

class PostgresTenantDatabaseScaleTest extends TenantDatabaseScaleContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRESQL;
    }

    @Override
    protected int defaultTenants() {
        return 200;
    }

    @Override
    protected int defaultBudget() {
        return 20;
    }
}
