package dev.tenancy.testkit;

class H2InvitationsTest extends JdbcInvitationsContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
