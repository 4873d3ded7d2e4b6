package dev.tenancy.testkit;

class H2ImpersonationsTest extends JdbcImpersonationsContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
