package dev.tenancy.testkit;

class H2ProvisioningTest extends ProvisioningContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
