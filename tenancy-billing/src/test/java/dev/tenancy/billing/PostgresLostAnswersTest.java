package dev.tenancy.billing;

import dev.tenancy.testkit.TestDatabase;

class PostgresLostAnswersTest extends LostAnswersContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRESQL;
    }
}
