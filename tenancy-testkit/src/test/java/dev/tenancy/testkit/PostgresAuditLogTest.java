package dev.tenancy.testkit;

class PostgresAuditLogTest extends JdbcAuditLogContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRESQL;
    }
}
