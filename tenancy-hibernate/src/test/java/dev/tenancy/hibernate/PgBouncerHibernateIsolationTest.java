package dev.tenancy.hibernate;

import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.testkit.TestDatabase;

/** The Hibernate contract, every model, through a PgBouncer in transaction mode ({@code .ci/run} starts one). */
class PgBouncerHibernateIsolationTest extends HibernateIsolationContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRESQL;
    }

    @Override
    protected DatabaseServer server(TestDatabase database) {
        return database.pooledServer("default");
    }
}
