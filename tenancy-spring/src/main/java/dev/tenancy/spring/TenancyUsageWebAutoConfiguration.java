package dev.tenancy.spring;

import dev.tenancy.billing.UsageMeter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;

/**
 * Counts each request served as a tenant as an API call of the month ({@link TenantApiCallFilter}),
 * refusing it with 429 once the tenant's plan's API calls are used up; off with {@code
 * tenancy.billing.count-api-calls=false}.
 */
@AutoConfiguration(after = {TenancyBillingAutoConfiguration.class, TenancyWebAutoConfiguration.class})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({UsageMeter.class, Filter.class})
@ConditionalOnBean(UsageMeter.class)
@ConditionalOnBooleanProperty(name = "tenancy.billing.count-api-calls", matchIfMissing = true)
public final class TenancyUsageWebAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "tenantApiCallFilter")
    FilterRegistrationBean<TenantApiCallFilter> tenantApiCallFilter(
            TenancyProperties properties,
            UsageMeter meter,
            dev.tenancy.billing.Billing billing,
            ObjectProvider<TenantFilter.Refusals> refusals) {
        FilterRegistrationBean<TenantApiCallFilter> registration = new FilterRegistrationBean<>(new TenantApiCallFilter(
                meter, billing.subscriptions(), refusals.getIfAvailable(() -> TenantFilter.Refusals.NONE)));
        registration.setName("tenantApiCallFilter");
        registration.setOrder(properties.web().order() + 2); // after the tenant is bound and rate limits
        registration.setDispatcherTypes(DispatcherType.REQUEST);
        return registration;
    }
}
