package dev.tenancy.jooq;

import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.testkit.TestDatabase;

/** The jOOQ contract, every model, through a PgBouncer in transaction mode ({@code .ci/run} starts one). */
class PgBouncerJooqIsolationTest extends JooqIsolationContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRESQL;
    }

    @Override
    protected DatabaseServer server(TestDatabase database) {
        return database.pooledServer("default");
    }
}
