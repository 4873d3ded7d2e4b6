package dev.tenancy.spring;

import dev.tenancy.testkit.TestDatabase;

class H2JpaApplicationTest extends JpaApplicationContract {
    @Override
    TestDatabase database() {
        return TestDatabase.h2();
    }
}
