package dev.tenancy.testkit;

class H2AdversarialIsolationTest extends AdversarialIsolationContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
