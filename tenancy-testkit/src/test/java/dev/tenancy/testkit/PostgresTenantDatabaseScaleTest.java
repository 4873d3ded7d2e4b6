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

    @Override
    protected int defaultRounds() {
        // 200 tenants x 12 rounds by 16 threads over 10 pools: each round retires every pool, the
        // churn that once left a borrower waiting 32 s on a pool whose new connection was evicted.
        return 12;
    }
}
