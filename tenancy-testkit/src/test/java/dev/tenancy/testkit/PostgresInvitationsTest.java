package dev.tenancy.testkit;

class PostgresInvitationsTest extends JdbcInvitationsContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRESQL;
    }
}
