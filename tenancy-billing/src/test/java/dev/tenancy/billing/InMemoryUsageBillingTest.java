package dev.tenancy.billing;

import dev.tenancy.testkit.TestDatabase;

/** The same contract with usage in {@link UsageStore#inMemory()}: meters, overage and upsell read it there. */
class InMemoryUsageBillingTest extends BillingContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }

    @Override
    protected boolean inMemoryUsage() {
        return true;
    }
}
