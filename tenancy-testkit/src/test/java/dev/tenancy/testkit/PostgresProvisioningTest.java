package dev.tenancy.testkit;

class PostgresProvisioningTest extends ProvisioningContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRESQL;
    }
}
