package dev.tenancy.billing;

import dev.tenancy.testkit.TestDatabase;

class PostgresUsageStoreTest extends UsageStoreContract {
    private TestDatabase database;

    @Override
    protected UsageStore create() {
        database = TestDatabase.of(TestDatabase.Kind.POSTGRESQL);
        return UsageStore.jdbc(database.dataSource());
    }

    @Override
    protected void dispose() {
        database.close();
    }
}
