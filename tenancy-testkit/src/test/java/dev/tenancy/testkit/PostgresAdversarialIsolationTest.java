package dev.tenancy.testkit;

class PostgresAdversarialIsolationTest extends AdversarialIsolationContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRESQL;
    }
}
