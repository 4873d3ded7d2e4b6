package dev.tenancy.billing;

import dev.tenancy.testkit.TestDatabase;

class H2UsageStoreTest extends UsageStoreContract {
    private TestDatabase database;

    @Override
    protected UsageStore create() {
        database = TestDatabase.of(TestDatabase.Kind.H2);
        return UsageStore.jdbc(database.dataSource());
    }

    @Override
    protected void dispose() {
        database.close();
    }
}
