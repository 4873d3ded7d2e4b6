package dev.tenancy.spring;

import dev.tenancy.jdbc.TenantDataSource;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.boot.jdbc.autoconfigure.ApplicationDataSourceScriptDatabaseInitializer;
import org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration;
import org.springframework.boot.sql.autoconfigure.init.ApplicationScriptDatabaseInitializer;
import org.springframework.boot.sql.autoconfigure.init.ConditionalOnSqlInitialization;
import org.springframework.boot.sql.autoconfigure.init.SqlInitializationProperties;
import org.springframework.boot.sql.init.dependency.DatabaseInitializationDependencyConfigurer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.jdbc.datasource.init.DatabasePopulator;
import org.springframework.util.StringUtils;

/**
 * Spring Boot's own database initialization, {@code spring.sql.init} scripts and Spring Boot's
 * Flyway ({@code spring.flyway}, {@code classpath:db/migration}), runs on the platform database:
 * they are the application's platform-wide tables (its users, its settings). Left as they are, both
 * would take the primary {@code DataSource}, the routing one, which refuses connections with no
 * tenant bound. Tenants' tables are migrated by Tenancy instead ({@code tenancy.provisioning.*}).
 *
 * <p>Spring Boot's Flyway is redirected only when it chose the routing data source: a {@code
 * spring.flyway.url} or a {@code @FlywayDataSource} bean of the application's is kept. Tenancy's
 * control-plane tables live in schema {@code tenancy}; should the platform's default schema hold
 * tables anyway (an install from before they moved there), a first run is baselined at version 0
 * (below every migration, so all of them run) unless {@code spring.flyway.baseline-on-migrate} is
 * set.
 */
@AutoConfiguration(
        after = TenancyAutoConfiguration.class,
        before = DataSourceInitializationAutoConfiguration.class,
        beforeName = "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration")
@ConditionalOnBean(TenantDataSource.class)
public final class TenancyPlatformInitializationAutoConfiguration {

    /** {@code spring.sql.init} scripts on the platform database. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(DatabasePopulator.class)
    @ConditionalOnSqlInitialization
    @EnableConfigurationProperties(SqlInitializationProperties.class)
    @Import(DatabaseInitializationDependencyConfigurer.class)
    static class SqlScripts {
        @Bean
        @ConditionalOnMissingBean(ApplicationScriptDatabaseInitializer.class)
        ApplicationDataSourceScriptDatabaseInitializer dataSourceScriptDatabaseInitializer(
                @TenancyPlatform DataSource platform, SqlInitializationProperties properties) {
            DataSource target = platform;
            if (StringUtils.hasText(properties.getUsername()) && StringUtils.hasText(properties.getPassword())) {
                target = DataSourceBuilder.derivedFrom(platform)
                        .username(properties.getUsername())
                        .password(properties.getPassword())
                        .type(SimpleDriverDataSource.class)
                        .build();
            }
            return new ApplicationDataSourceScriptDatabaseInitializer(target, properties);
        }
    }

    /** Spring Boot's Flyway on the platform database, unless the application pointed it elsewhere. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(FlywayConfigurationCustomizer.class)
    static class BootFlyway {
        @Bean
        FlywayConfigurationCustomizer tenancyPlatformFlyway(@TenancyPlatform DataSource platform) {
            return configuration -> {
                if (configuration.getDataSource() instanceof TenantDataSource) {
                    configuration.dataSource(platform);
                    if (!configuration.isBaselineOnMigrate()) {
                        // Should the platform's schema hold tables (an install from before Tenancy's
                        // moved to schema tenancy): a first run baselines below every migration.
                        configuration.baselineOnMigrate(true).baselineVersion("0");
                    }
                }
            };
        }
    }
}
