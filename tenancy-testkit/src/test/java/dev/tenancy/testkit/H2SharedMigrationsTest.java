package dev.tenancy.testkit;

class H2SharedMigrationsTest extends SharedMigrationsContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
