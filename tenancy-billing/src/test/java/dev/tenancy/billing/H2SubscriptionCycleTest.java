package dev.tenancy.billing;

import dev.tenancy.testkit.TestDatabase;

class H2SubscriptionCycleTest extends SubscriptionCycleContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
