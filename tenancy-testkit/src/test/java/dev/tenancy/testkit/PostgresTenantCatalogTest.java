package dev.tenancy.testkit;

class PostgresTenantCatalogTest extends JdbcTenantCatalogContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRESQL;
    }
}
