package dev.tenancy.testkit;

class PostgresImpersonationsTest extends JdbcImpersonationsContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRESQL;
    }
}
