package dev.tenancy.spring;

import dev.tenancy.IsolationModel;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.jdbc.TenantDataSource;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * {@code tenancy} in the health endpoint: up when the catalog answers, with the tenants per server
 * of the schema and database models and the open tenant-database pools and connections.
 */
final class TenancyHealthIndicator extends AbstractHealthIndicator {
    private final TenantCatalog catalog;
    private final TenantDataSource dataSource;

    TenancyHealthIndicator(TenantCatalog catalog, TenantDataSource dataSource) {
        super("Tenancy's catalog is not reachable");
        this.catalog = catalog;
        this.dataSource = dataSource;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        builder.up()
                .withDetail("schemaTenantsByServer", catalog.countByServer(IsolationModel.SCHEMA))
                .withDetail("databaseTenantsByServer", catalog.countByServer(IsolationModel.DATABASE));
        if (dataSource != null) {
            builder.withDetail("tenantDatabasePools", dataSource.tenantDatabasePools())
                    .withDetail("tenantDatabaseConnections", dataSource.tenantDatabaseConnections());
        }
    }
}
