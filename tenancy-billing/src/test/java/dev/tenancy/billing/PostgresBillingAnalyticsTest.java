package dev.tenancy.billing;

import dev.tenancy.testkit.TestDatabase;

class PostgresBillingAnalyticsTest extends BillingAnalyticsContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRESQL;
    }
}
