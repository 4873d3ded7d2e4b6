package dev.tenancy.spring;

import dev.tenancy.TenantId;
import dev.tenancy.billing.ApiThrottle;
import dev.tenancy.context.TenantContext;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Per-tenant API rate limits: each request served as a tenant takes one token from the tenant's
 * {@link ApiThrottle} buckets; one over the limit is answered {@code 429 Too Many Requests} with
 * {@code Retry-After} (whole seconds, rounded up) and an RFC 9457 problem of type {@code
 * .../rate-limited} naming the tenant, and never reaches the application. Requests with no tenant
 * bound pass. Register it inside {@link TenantFilter} (a higher order), so that the tenant is bound;
 * Spring Boot does, with {@code tenancy.billing.rate-limits.enabled=true}.
 */
public final class TenantRateLimitFilter implements Filter {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ApiThrottle throttle;
    private final TenantFilter.Refusals refusals;

    /**
     * @param throttle the tenants' buckets
     * @param refusals told of each refusal, as {@code rate-limited}
     */
    public TenantRateLimitFilter(ApiThrottle throttle, TenantFilter.Refusals refusals) {
        this.throttle = Objects.requireNonNull(throttle, "throttle");
        this.refusals = Objects.requireNonNull(refusals, "refusals");
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        Optional<TenantId> tenant = TenantContext.current();
        if (tenant.isPresent() && response instanceof HttpServletResponse http) {
            ApiThrottle.Decision decision = throttle.tryAcquire(tenant.get());
            if (!decision.allowed()) {
                refuse(tenant.get(), decision, http);
                return;
            }
        }
        chain.doFilter(request, response);
    }

    private void refuse(TenantId tenant, ApiThrottle.Decision decision, HttpServletResponse response)
            throws IOException {
        refusals.refused("rate-limited");
        long retryMs = Math.max(1, decision.retryAfter().toMillis());
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", TenantFilter.PROBLEM_BASE + "rate-limited");
        problem.put("title", "Rate limited");
        problem.put("status", 429);
        problem.put("tenant", tenant.value());
        problem.put("retryAfterMs", retryMs);
        problem.put(
                "detail",
                "Tenant '" + tenant + "' sent more requests than its rate limit allows; retry in " + retryMs + " ms");
        response.setStatus(429);
        response.setHeader("Retry-After", Long.toString((retryMs + 999) / 1000));
        response.setContentType("application/problem+json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getOutputStream().write(JSON.writeValueAsBytes(problem));
    }
}
