package dev.tenancy.hibernate;

import dev.tenancy.testkit.TestDatabase;

class H2HibernateIsolationTest extends HibernateIsolationContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
