package dev.tenancy.spring;

import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.jdbc.TenantDataSource;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration;
import org.springframework.boot.jdbc.health.DataSourceHealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Health with Spring Boot's health module: {@code tenancy} ({@link TenancyHealthIndicator}), and
 * {@code db} checked on the platform {@code DataSource}. Spring Boot's own {@code db} check would
 * borrow from every {@code DataSource} with no tenant bound, which the routing one refuses.
 */
@AutoConfiguration(after = TenancyAutoConfiguration.class, before = DataSourceHealthContributorAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(TenantCatalog.class)
public final class TenancyHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "tenancyHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("tenancy")
    HealthIndicator tenancyHealthIndicator(TenantCatalog catalog, ObjectProvider<TenantDataSource> dataSource) {
        return new TenancyHealthIndicator(catalog, dataSource.getIfAvailable());
    }

    @Bean
    @ConditionalOnBean(TenantDataSource.class)
    @ConditionalOnClass(DataSourceHealthIndicator.class)
    @ConditionalOnMissingBean(name = {"dbHealthIndicator", "dbHealthContributor"})
    @ConditionalOnEnabledHealthIndicator("db")
    HealthContributor dbHealthContributor(@TenancyPlatform DataSource platform) {
        return new DataSourceHealthIndicator(platform);
    }
}
