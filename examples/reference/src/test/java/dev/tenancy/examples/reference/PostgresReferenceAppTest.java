package dev.tenancy.examples.reference;

import dev.tenancy.testkit.TestDatabase;

class PostgresReferenceAppTest extends ReferenceAppContract {
    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }
}
