package dev.tenancy.spring;

import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.jdbc.TenantDataSource;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** {@link TenancyMetrics} when Micrometer is on the class path; Spring Boot binds it to its registries. */
@AutoConfiguration(after = TenancyAutoConfiguration.class, before = TenancyWebAutoConfiguration.class)
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean(TenantCatalog.class)
public final class TenancyMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TenancyMetrics tenancyMetrics(ObjectProvider<TenantDataSource> dataSource) {
        return new TenancyMetrics(dataSource.getIfAvailable());
    }
}
