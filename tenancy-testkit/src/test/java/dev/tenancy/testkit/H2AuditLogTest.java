package dev.tenancy.testkit;

class H2AuditLogTest extends JdbcAuditLogContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
