package dev.tenancy.jooq;

import dev.tenancy.testkit.TestDatabase;

class PostgresJooqIsolationTest extends JooqIsolationContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRESQL;
    }
}
