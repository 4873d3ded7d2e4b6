package dev.tenancy.examples.reference;

import dev.tenancy.TenantId;
import dev.tenancy.billing.ApiThrottle;
import dev.tenancy.billing.Billing;
import dev.tenancy.billing.RateLimit;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.context.TenantContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Per-tenant API rate limits by tier (a burst guard; monthly quotas are the plan's): every request
 * served as a tenant takes one token from the tenant's buckets, and one over the limit is refused
 * with 429 and {@code Retry-After}. Refusals are audited in aggregate for the console's throttle
 * awareness (admin manual, chapters 19 and 27).
 */
@Configuration
public class RateLimits implements WebMvcConfigurer {
    /** Requests per second and per minute, by tier. */
    static final Map<String, RateLimit> BY_TIER = Map.of(
            "free", new RateLimit(20, 600),
            "pro", new RateLimit(50, 1_500),
            "enterprise", new RateLimit(200, 6_000));

    private final ApiThrottle throttle;

    RateLimits(ApiThrottle throttle) {
        this.throttle = throttle;
    }

    @Bean(destroyMethod = "close")
    static ApiThrottle apiThrottle(
            Billing billing,
            TenantCatalog catalog,
            @Value("${reference.throttle.audit-window:1m}") Duration auditWindow) {
        return billing.throttle()
                .limits(tenant -> BY_TIER.getOrDefault(
                        catalog.find(tenant).map(t -> t.tier()).orElse("free"), BY_TIER.get("free")))
                .auditWindow(auditWindow)
                .build();
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new HandlerInterceptor() {
                    @Override
                    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
                        Optional<TenantId> tenant = TenantContext.current();
                        if (tenant.isPresent()) {
                            ApiThrottle.Decision decision = throttle.tryAcquire(tenant.get());
                            if (!decision.allowed()) {
                                throw new RateLimitedException(tenant.get(), decision.retryAfter());
                            }
                        }
                        return true;
                    }
                })
                .addPathPatterns("/api/**", "/t/**");
    }

    /** A tenant's request over its rate limit: 429, with when to try again. */
    public static final class RateLimitedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final transient Duration retryAfter;

        RateLimitedException(TenantId tenant, Duration retryAfter) {
            super("Tenant '" + tenant + "' sent more requests than its plan's rate limit allows; retry in "
                    + Math.max(1, retryAfter.toMillis()) + " ms");
            this.retryAfter = retryAfter;
        }

        public Duration retryAfter() {
            return retryAfter;
        }
    }
}
