package dev.tenancy.testkit;

class H2TenantMoveTest extends TenantMoveContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
