package dev.tenancy.billing;

import dev.tenancy.testkit.TestDatabase;

class H2BillingTest extends BillingContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
