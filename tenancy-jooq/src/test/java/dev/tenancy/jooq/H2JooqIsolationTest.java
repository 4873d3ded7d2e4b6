package dev.tenancy.jooq;

import dev.tenancy.testkit.TestDatabase;

class H2JooqIsolationTest extends JooqIsolationContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
