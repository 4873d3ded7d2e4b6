package dev.tenancy.testkit;

class PostgresTenantSettingsTest extends JdbcTenantSettingsContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRESQL;
    }
}
