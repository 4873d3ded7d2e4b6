package dev.tenancy.testkit;

class H2TenantSettingsTest extends JdbcTenantSettingsContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
