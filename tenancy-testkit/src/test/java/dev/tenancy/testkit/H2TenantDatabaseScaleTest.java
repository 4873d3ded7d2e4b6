package dev.tenancy.testkit;

class H2TenantDatabaseScaleTest extends TenantDatabaseScaleContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }

    @Override
    protected int defaultTenants() {
        return 3_000;
    }

    @Override
    protected int defaultBudget() {
        return 40;
    }
}
