package dev.tenancy.spring;

import dev.tenancy.hibernate.TenancyHibernate;
import dev.tenancy.jdbc.TenantDataSource;
import java.util.Map;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.hibernate.autoconfigure.HibernatePropertiesCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * Makes Spring Boot's JPA {@code EntityManagerFactory} multi-tenant when {@code tenancy-hibernate}
 * is on the class path: sessions take {@code TenantContext}'s tenant and connections from {@link
 * TenantDataSource}; shared-model entities carry Hibernate's {@code @TenantId}; an entity with no
 * tenant scope fails the start unless {@code tenancy.hibernate.unscoped-entities} says otherwise.
 * See {@link TenancyHibernate}.
 */
@AutoConfiguration(after = TenancyAutoConfiguration.class, before = HibernateJpaAutoConfiguration.class)
@ConditionalOnClass({TenancyHibernate.class, HibernatePropertiesCustomizer.class})
@ConditionalOnBean(TenantDataSource.class)
public final class TenancyHibernateAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "tenancyHibernateProperties")
    HibernatePropertiesCustomizer tenancyHibernateProperties(TenancyProperties properties, TenantDataSource data) {
        Map<String, Object> tenancy = TenancyHibernate.builder()
                .dataSource(data)
                .unscopedEntities(TenancyHibernate.UnscopedEntities.valueOf(
                        properties.hibernate().unscopedEntities().name()))
                .build()
                .properties();
        return hibernate -> hibernate.putAll(tenancy);
    }
}
