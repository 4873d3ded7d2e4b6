package dev.tenancy.billing;

import dev.tenancy.testkit.TestDatabase;

class H2BillingAnalyticsTest extends BillingAnalyticsContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
