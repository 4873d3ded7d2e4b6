package dev.tenancy.spring;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tenancy.TenantId;
import dev.tenancy.billing.Metric;
import dev.tenancy.billing.QuotaDecision;
import dev.tenancy.billing.Subscriptions;
import dev.tenancy.billing.UsageMeter;
import dev.tenancy.context.TenantContext;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Counts every request served as a tenant as one {@link Metric#API_CALLS} of the month, on the
 * meter's in-memory leased path (no database trip per request). A tenant whose plan limits API
 * calls and has used them all is answered {@code 429 Too Many Requests} with {@code Retry-After}
 * (until its usage period ends) and an RFC 9457 problem of type {@code .../quota-exceeded}, and the
 * request never reaches the application. Requests with no tenant bound pass uncounted, and so do a
 * tenant's without a subscription (billing does not apply to it; looked up again every 30 s). Spring Boot
 * registers it inside {@link TenantFilter} unless {@code tenancy.billing.count-api-calls=false}.
 */
public final class TenantApiCallFilter implements Filter {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final UsageMeter meter;
    private final Subscriptions subscriptions;
    private final TenantFilter.Refusals refusals;
    /** Tenants found without a subscription: not metered (bounded by the catalog's tenants). */
    private final Cache<TenantId, Boolean> unsubscribed = Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterWrite(Duration.ofSeconds(30))
            .build();

    public TenantApiCallFilter(UsageMeter meter, Subscriptions subscriptions, TenantFilter.Refusals refusals) {
        this.meter = Objects.requireNonNull(meter, "meter");
        this.subscriptions = Objects.requireNonNull(subscriptions, "subscriptions");
        this.refusals = Objects.requireNonNull(refusals, "refusals");
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        Optional<TenantId> tenant = TenantContext.current();
        if (tenant.isPresent()
                && response instanceof HttpServletResponse http
                && unsubscribed.getIfPresent(tenant.get()) == null
                && !meter.tryConsume(tenant.get(), Metric.API_CALLS, 1)) {
            if (subscriptions.terms(tenant.get()).isEmpty()) {
                unsubscribed.put(tenant.get(), Boolean.TRUE); // no plan, no quota
            } else {
                refuse(tenant.get(), meter.check(tenant.get(), Metric.API_CALLS, 1), http);
                return;
            }
        }
        chain.doFilter(request, response);
    }

    private void refuse(TenantId tenant, QuotaDecision decision, HttpServletResponse response) throws IOException {
        refusals.refused("quota-exceeded");
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", TenantFilter.PROBLEM_BASE + "quota-exceeded");
        problem.put("title", "Quota exceeded");
        problem.put("status", 429);
        problem.put("tenant", tenant.value());
        problem.put("metric", Metric.API_CALLS.key());
        problem.put("limit", decision.limit());
        problem.put("used", decision.used());
        problem.put(
                "detail",
                "Tenant '" + tenant + "' has used " + decision.used() + " of its " + decision.limit()
                        + " API calls this month; upgrade the plan, or wait for the next month");
        response.setStatus(429);
        if (decision.retryAfter() != null) {
            long seconds = Math.max(
                    1, Duration.between(Instant.now(), decision.retryAfter()).toSeconds());
            response.setHeader("Retry-After", Long.toString(seconds));
            problem.put("retryAfter", decision.retryAfter().toString());
        }
        response.setContentType("application/problem+json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getOutputStream().write(JSON.writeValueAsBytes(problem));
    }
}
