package dev.tenancy.spring;

import dev.tenancy.testkit.TestDatabase;

class PostgresJpaApplicationTest extends JpaApplicationContract {
    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }
}
