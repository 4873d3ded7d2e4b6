package dev.tenancy.hibernate;

import dev.tenancy.testkit.TestDatabase;

class PostgresHibernateIsolationTest extends HibernateIsolationContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRESQL;
    }
}
