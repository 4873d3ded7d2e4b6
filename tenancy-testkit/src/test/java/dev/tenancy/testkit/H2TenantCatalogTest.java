package dev.tenancy.testkit;

class H2TenantCatalogTest extends JdbcTenantCatalogContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
