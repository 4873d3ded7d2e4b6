package dev.tenancy.spring;

import dev.tenancy.billing.ApiThrottle;
import dev.tenancy.billing.Billing;
import dev.tenancy.billing.RateLimit;
import dev.tenancy.catalog.TenantCatalog;
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
 * Per-tenant API rate limits, with {@code tenancy.billing.rate-limits.enabled=true}: an {@link
 * ApiThrottle} whose limits follow each tenant's tier in the catalog ({@code
 * tenancy.billing.rate-limits.tiers.<tier>.per-second} and {@code .per-minute}; the top-level
 * {@code per-second} and {@code per-minute} for other tiers), and a {@link TenantRateLimitFilter}
 * just inside {@link TenantFilter}. Refusals are audited once per tenant and {@code audit-window}
 * for the admin console's throttle awareness, and counted as {@code rate-limited} refusals. A
 * tenant whose tier changes gets its new tier's limits at its next request.
 */
@AutoConfiguration(after = {TenancyBillingAutoConfiguration.class, TenancyWebAutoConfiguration.class})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({Billing.class, Filter.class})
@ConditionalOnBean({Billing.class, TenantCatalog.class})
@ConditionalOnBooleanProperty(name = "tenancy.billing.rate-limits.enabled")
public final class TenancyRateLimitAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ApiThrottle tenancyApiThrottle(TenancyProperties properties, Billing billing, TenantCatalog catalog) {
        TenancyProperties.RateLimits limits = properties.billing().rateLimits();
        RateLimit otherTiers = rateLimit("tenancy.billing.rate-limits", limits.perSecond(), limits.perMinute());
        java.util.Map<String, RateLimit> byTier = new java.util.HashMap<>();
        limits.tiers()
                .forEach((tier, l) -> byTier.put(
                        tier, rateLimit("tenancy.billing.rate-limits.tiers." + tier, l.perSecond(), l.perMinute())));
        return billing.throttle()
                .limits(tenant -> catalog.find(tenant)
                        .map(t -> byTier.getOrDefault(t.tier(), otherTiers))
                        .orElse(otherTiers))
                .auditWindow(limits.auditWindow())
                .build();
    }

    /** A tenant's new tier applies at its next request. */
    @Bean
    @ConditionalOnMissingBean
    RateLimitsFollowTheCatalog tenancyRateLimitsFollowTheCatalog(TenantCatalog catalog, ApiThrottle throttle) {
        return new RateLimitsFollowTheCatalog(catalog, throttle);
    }

    private static RateLimit rateLimit(String property, long perSecond, long perMinute) {
        try {
            return new RateLimit(perSecond, perMinute);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + ".per-second and .per-minute: " + e.getMessage(), e);
        }
    }

    @Bean
    @ConditionalOnMissingBean(name = "tenantRateLimitFilter")
    FilterRegistrationBean<TenantRateLimitFilter> tenantRateLimitFilter(
            TenancyProperties properties, ApiThrottle throttle, ObjectProvider<TenantFilter.Refusals> refusals) {
        FilterRegistrationBean<TenantRateLimitFilter> registration = new FilterRegistrationBean<>(
                new TenantRateLimitFilter(throttle, refusals.getIfAvailable(() -> TenantFilter.Refusals.NONE)));
        registration.setName("tenantRateLimitFilter");
        registration.setOrder(properties.web().order() + 1);
        registration.setDispatcherTypes(DispatcherType.REQUEST);
        return registration;
    }
}
