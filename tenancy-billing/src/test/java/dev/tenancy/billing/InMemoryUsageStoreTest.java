package dev.tenancy.billing;

class InMemoryUsageStoreTest extends UsageStoreContract {
    @Override
    protected UsageStore create() {
        return UsageStore.inMemory();
    }
}
