package dev.tenancy.spring;

import dev.tenancy.resolve.TenantAdmission;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.util.EnumSet;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Registers {@link TenantFilter} in a servlet web application, after Spring Security's filter
 * chain (order {@code tenancy.web.order}, -90 by default), with the claims of {@link TenantClaims}.
 */
@AutoConfiguration(after = TenancyAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({Filter.class, PathPatternParser.class})
@ConditionalOnBean(TenantAdmission.class)
@ConditionalOnBooleanProperty(name = "tenancy.web.enabled", matchIfMissing = true)
public final class TenancyWebAutoConfiguration {
    private static final String RESOURCE_SERVER_TOKEN =
            "org.springframework.security.oauth2.server.resource.authentication.AbstractOAuth2TokenAuthenticationToken";

    @Bean
    @ConditionalOnMissingBean(name = "tenantFilter")
    FilterRegistrationBean<TenantFilter> tenantFilter(
            TenancyProperties properties,
            TenantAdmission admission,
            TenantClaims claims,
            ObjectProvider<TenantFilter.Refusals> refusals) {
        TenantFilter filter = new TenantFilter(
                admission,
                claims,
                properties.web().excludedPaths(),
                refusals.getIfAvailable(() -> TenantFilter.Refusals.NONE));
        FilterRegistrationBean<TenantFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setName("tenantFilter");
        registration.setOrder(properties.web().order());
        registration.setDispatcherTypes(EnumSet.allOf(DispatcherType.class));
        return registration;
    }

    /** Claims of bearer tokens Spring Security's resource server verified, when it is there; none otherwise. */
    @Bean
    @ConditionalOnMissingBean
    TenantClaims tenancyClaims() {
        return ClassUtils.isPresent(RESOURCE_SERVER_TOKEN, TenancyWebAutoConfiguration.class.getClassLoader())
                ? new SecurityContextClaims()
                : TenantClaims.NONE;
    }
}
