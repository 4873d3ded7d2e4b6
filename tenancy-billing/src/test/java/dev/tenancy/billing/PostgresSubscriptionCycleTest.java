package dev.tenancy.billing;

import dev.tenancy.testkit.TestDatabase;

class PostgresSubscriptionCycleTest extends SubscriptionCycleContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRESQL;
    }
}
