package dev.tenancy.billing;

import dev.tenancy.testkit.TestDatabase;

class PostgresBillingTest extends BillingContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRESQL;
    }
}
