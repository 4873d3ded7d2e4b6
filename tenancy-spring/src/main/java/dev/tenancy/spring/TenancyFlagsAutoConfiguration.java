package dev.tenancy.spring;

import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.flags.FeatureFlags;
import dev.tenancy.flags.FlagStore;
import dev.tenancy.flags.JdbcFlagStore;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link FeatureFlags} when {@code tenancy-flags} is on the class path: definitions and overrides
 * in the platform database ({@code tenancy_flag*} tables, installed at start), or in memory with
 * {@code tenancy.catalog.store=memory}; plan rules read the catalog's tiers; changes reach every
 * node over PostgreSQL LISTEN/NOTIFY, and within {@code tenancy.flags.poll-interval} everywhere.
 */
@AutoConfiguration(after = TenancyAutoConfiguration.class)
@ConditionalOnClass(FeatureFlags.class)
@ConditionalOnBean({TenantCatalog.class, AuditLog.class})
public final class TenancyFlagsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    FlagStore tenancyFlagStore(TenancyProperties properties, @TenancyPlatform DataSource platform, AuditLog audit) {
        return switch (properties.catalog().store()) {
            case MEMORY -> FlagStore.inMemory(audit);
            case JDBC -> JdbcFlagStore.builder(platform).auditLog(audit).build();
        };
    }

    @Bean
    @ConditionalOnMissingBean
    FeatureFlags featureFlags(TenancyProperties properties, FlagStore store, TenantCatalog catalog) {
        return FeatureFlags.builder()
                .store(store)
                .catalog(catalog)
                .pollInterval(properties.flags().pollInterval())
                .countEvaluations(properties.flags().countEvaluations())
                .build();
    }
}
