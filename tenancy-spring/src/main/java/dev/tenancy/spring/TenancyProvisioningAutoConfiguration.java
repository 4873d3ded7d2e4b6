package dev.tenancy.spring;

import dev.tenancy.access.Invitations;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.provision.FleetMigration;
import dev.tenancy.provision.SharedTable;
import dev.tenancy.provision.TenantOffboarding;
import dev.tenancy.provision.TenantProvisioner;
import dev.tenancy.settings.TenantSettings;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link TenantProvisioner} and {@link FleetMigration} when Flyway is on the class path, with the
 * application's tenant migrations at {@code tenancy.provisioning.migrations} ({@code
 * classpath:db/tenant} by default), the shared model's tables' at {@code
 * tenancy.provisioning.shared-migrations} ({@code classpath:db/shared}), and their ledgers in the
 * platform database. As the context starts, a fleet migration brings every tenant and every
 * server's shared tables to the newest migrations ({@code tenancy.provisioning.migrate-on-startup},
 * on by default). Expired tenants are archived and purged by a sweep every {@code
 * tenancy.offboarding.expiry-sweep} (5 minutes; {@code tenancy.offboarding.expire-on-schedule}).
 */
@AutoConfiguration(after = TenancyAutoConfiguration.class)
@ConditionalOnClass(Flyway.class)
@ConditionalOnBean({TenantCatalog.class, TenantDataSource.class})
public final class TenancyProvisioningAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TenantProvisioner tenantProvisioner(
            TenancyProperties properties,
            TenantCatalog catalog,
            TenantDataSource data,
            @TenancyPlatform DataSource platform) {
        return TenantProvisioner.builder()
                .catalog(catalog)
                .dataSource(data)
                .platform(platform)
                .migrations(properties.provisioning().migrations().toArray(String[]::new))
                .sharedMigrations(properties.provisioning().sharedMigrations().toArray(String[]::new))
                .rowLevelSecurity(sharedTables(
                        "tenancy.provisioning.row-level-security",
                        properties.provisioning().rowLevelSecurity()))
                .build();
    }

    @Bean
    @ConditionalOnMissingBean
    FleetMigration fleetMigration(
            TenancyProperties properties,
            TenantCatalog catalog,
            TenantDataSource data,
            @TenancyPlatform DataSource platform) {
        return FleetMigration.builder()
                .catalog(catalog)
                .dataSource(data)
                .platform(platform)
                .migrations(properties.provisioning().migrations().toArray(String[]::new))
                .sharedMigrations(properties.provisioning().sharedMigrations().toArray(String[]::new))
                .rowLevelSecurity(sharedTables(
                        "tenancy.provisioning.row-level-security",
                        properties.provisioning().rowLevelSecurity()))
                .parallelism(properties.provisioning().fleetParallelism())
                .build();
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "tenancy.provisioning.migrate-on-startup", matchIfMissing = true)
    FleetMigrationOnStartup tenancyFleetMigrationOnStartup(FleetMigration fleet) {
        return new FleetMigrationOnStartup(fleet);
    }

    /**
     * Offboarding with {@code tenancy.offboarding.*}; a purge also forgets the tenant's invitations
     * and, when the application declares {@link TenantSettings}, its settings.
     */
    @Bean
    @ConditionalOnMissingBean
    TenantOffboarding tenantOffboarding(
            TenancyProperties properties,
            TenantCatalog catalog,
            TenantDataSource data,
            @TenancyPlatform DataSource platform,
            ObjectProvider<Invitations> invitations,
            ObjectProvider<TenantSettings> settings) {
        TenantOffboarding.Builder offboarding = TenantOffboarding.builder()
                .catalog(catalog)
                .dataSource(data)
                .platform(platform)
                .retention(properties.offboarding().retention())
                .expiryGrace(properties.offboarding().expiryGrace());
        for (SharedTable table : sharedTables(
                "tenancy.offboarding.shared-tables", properties.offboarding().sharedTables())) {
            offboarding.sharedTable(table.table(), table.tenantColumn());
        }
        invitations.ifAvailable(i -> offboarding.onPurge(i::forget));
        settings.ifAvailable(s -> offboarding.onPurge(s::forget));
        return offboarding.build();
    }

    /** {@code table} or {@code table.column} entries of {@code property}; the column is {@code tenant_id} when not named. */
    static SharedTable[] sharedTables(String property, java.util.List<String> entries) {
        java.util.List<SharedTable> tables = new java.util.ArrayList<>();
        for (String entry : entries) {
            int dot = entry.indexOf('.');
            if (dot < 0) {
                tables.add(SharedTable.of(entry.strip(), "tenant_id"));
            } else if (dot > 0 && entry.indexOf('.', dot + 1) < 0) {
                tables.add(SharedTable.of(
                        entry.substring(0, dot).strip(),
                        entry.substring(dot + 1).strip()));
            } else {
                throw new IllegalArgumentException(property + " entry '" + entry
                        + "' is not a table or table.column, like orders or orders.tenant_id");
            }
        }
        return tables.toArray(SharedTable[]::new);
    }

    /** Archives and purges expired tenants every {@code tenancy.offboarding.expiry-sweep}. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "tenancy.offboarding.expire-on-schedule", matchIfMissing = true)
    TenantExpirySweep tenancyExpirySweep(TenancyProperties properties, TenantOffboarding offboarding) {
        return new TenantExpirySweep(offboarding, properties.offboarding().expirySweep());
    }
}
