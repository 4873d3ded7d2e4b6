package dev.tenancy.testkit;

class PostgresSharedMigrationsTest extends SharedMigrationsContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRESQL;
    }
}
