package dev.tenancy.spring;

import dev.tenancy.InvalidTenantIdException;
import dev.tenancy.TenancyException;
import dev.tenancy.TenantNotActiveException;
import dev.tenancy.UnknownTenantException;
import dev.tenancy.context.TenantContext;
import dev.tenancy.resolve.AdmittedTenant;
import dev.tenancy.resolve.InvalidTenantRequestException;
import dev.tenancy.resolve.TenantAdmission;
import dev.tenancy.resolve.TenantMismatchException;
import dev.tenancy.resolve.TenantNotResolvedException;
import dev.tenancy.resolve.TenantRequest;
import dev.tenancy.resolve.TenantResolver;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import tools.jackson.databind.json.JsonMapper;

/**
 * Serves each request as its tenant: resolves and admits it ({@link TenantAdmission}), then runs
 * the rest of the chain inside the tenant's scope, read-only for an archived tenant served so. The
 * admitted tenant is also a request attribute, {@link #TENANT_ATTRIBUTE}.
 *
 * <p>A request that cannot be served gets an RFC 9457 problem ({@code application/problem+json})
 * and never reaches the application:
 *
 * <table>
 *   <caption>Refusals</caption>
 *   <tr><th>status</th><th>type</th><th>when</th></tr>
 *   <tr><td>400</td><td>{@code tenant-not-resolved}</td><td>no resolver names a tenant</td></tr>
 *   <tr><td>400</td><td>{@code invalid-tenant}</td><td>the request names one in a malformed way</td></tr>
 *   <tr><td>403</td><td>{@code tenant-mismatch}</td><td>a resolver names another tenant than the
 *       authenticated principal's, or than another resolver (a header naming globex on acme's
 *       subdomain)</td></tr>
 *   <tr><td>403</td><td>{@code tenant-not-active}</td><td>suspended, pending approval, rejected,
 *       archived (unless served read-only) or purged; {@code tenantStatus} says which (the reason staff gave
 *       stays in the audit log and the console)</td></tr>
 *   <tr><td>404</td><td>{@code unknown-tenant}</td><td>the catalog has no such tenant</td></tr>
 * </table>
 *
 * <p>Paths matching an {@linkplain #TenantFilter(TenantAdmission, TenantClaims, List) excluded
 * pattern} pass with no tenant bound. Every later dispatch of an admitted request (asynchronous,
 * error, forward, include) runs in the same tenant's scope without being resolved again: register
 * the filter for every dispatcher type. Spring Boot registers it through {@code
 * TenancyWebAutoConfiguration}; other applications can register it as any servlet filter, after
 * their authentication.
 */
public final class TenantFilter implements Filter {
    /** The request attribute holding the {@link AdmittedTenant} (its class name, as a constant for {@code @RequestAttribute}). */
    public static final String TENANT_ATTRIBUTE = "dev.tenancy.resolve.AdmittedTenant";

    /** The base of the problems' {@code type} URIs. */
    public static final String PROBLEM_BASE = "https://tenancy.dev/problems/";

    private static final Logger LOG = LoggerFactory.getLogger(TenantFilter.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final TenantAdmission admission;
    private final TenantClaims claims;
    private final List<Exclusion> excluded;
    private final Refusals refusals;
    private final Set<String> headers;
    private final boolean allHeaders;

    /** Told of each refusal, by its problem type's last segment (such as {@code unknown-tenant}); for metrics. */
    @FunctionalInterface
    public interface Refusals {
        /** Nobody is told. */
        Refusals NONE = reason -> {};

        /** A request was refused for {@code reason}; must not throw. */
        void refused(String reason);
    }

    /**
     * @param admission resolves and admits requests
     * @param claims the verified claims of a request's principal
     * @param excludedPaths path patterns (Spring's {@code PathPattern} syntax, such as {@code
     *     /actuator/**}) served with no tenant bound
     */
    public TenantFilter(TenantAdmission admission, TenantClaims claims, List<String> excludedPaths) {
        this(admission, claims, excludedPaths, Refusals.NONE);
    }

    /**
     * @param refusals told of each refusal
     * @see #TenantFilter(TenantAdmission, TenantClaims, List)
     */
    public TenantFilter(TenantAdmission admission, TenantClaims claims, List<String> excludedPaths, Refusals refusals) {
        this.refusals = Objects.requireNonNull(refusals, "refusals");
        this.admission = Objects.requireNonNull(admission, "admission");
        this.headers = admission.headers();
        this.allHeaders = headers.equals(TenantResolver.ANY_HEADER);
        this.claims = Objects.requireNonNull(claims, "claims");
        this.excluded = excludedPaths.stream().map(Exclusion::of).toList();
    }

    @Override
    public void doFilter(ServletRequest servletRequest, ServletResponse servletResponse, FilterChain chain)
            throws IOException, ServletException {
        if (!(servletRequest instanceof HttpServletRequest request)
                || !(servletResponse instanceof HttpServletResponse response)) {
            chain.doFilter(servletRequest, servletResponse);
            return;
        }
        if (request.getAttribute(TENANT_ATTRIBUTE) instanceof AdmittedTenant admitted) {
            // A later dispatch of a request already admitted (asynchronous, error, forward, include).
            if (TenantContext.current().filter(admitted.id()::equals).isPresent()) {
                chain.doFilter(request, response); // still inside its scope, on the same thread
            } else {
                serve(admitted, request, response, chain); // an asynchronous dispatch, on another thread
            }
            return;
        }
        if (excluded(request)) {
            chain.doFilter(request, response);
            return;
        }
        AdmittedTenant tenant;
        try {
            tenant = admission.admit(tenantRequest(request));
        } catch (TenancyException e) {
            refuse(request, response, e);
            return;
        }
        request.setAttribute(TENANT_ATTRIBUTE, tenant);
        serve(tenant, request, response, chain);
    }

    private boolean excluded(HttpServletRequest request) {
        if (excluded.isEmpty()) {
            return false;
        }
        String path = path(request);
        PathContainer parsed = null;
        for (Exclusion exclusion : excluded) {
            if (exclusion.pattern() == null) {
                String prefix = exclusion.prefix();
                if (path.startsWith(prefix)
                        && (path.length() == prefix.length()
                                || (exclusion.subtree() && path.charAt(prefix.length()) == '/'))) {
                    return true;
                }
                continue;
            }
            if (parsed == null) {
                parsed = PathContainer.parsePath(path);
            }
            if (exclusion.pattern().matches(parsed)) {
                return true;
            }
        }
        return false;
    }

    /**
     * One excluded path pattern. The common shapes are matched as text: a plain path ({@code
     * /error}: {@code prefix}, not {@code subtree}) and a plain path with everything below it
     * ({@code /actuator/**}: {@code prefix} {@code /actuator}, {@code subtree}); any other is a
     * Spring {@code PathPattern}.
     */
    private record Exclusion(String prefix, boolean subtree, PathPattern pattern) {
        private static final Pattern PLAIN = Pattern.compile("(/[^/*?{}]+)*/?");

        static Exclusion of(String text) {
            PathPattern pattern;
            try {
                pattern = PathPatternParser.defaultInstance.parse(text);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        "Excluded path '" + text + "' is not a valid path pattern (such as /actuator/**): "
                                + e.getMessage(),
                        e);
            }
            if (!pattern.hasPatternSyntax() && PLAIN.matcher(text).matches()) {
                return new Exclusion(text, false, null);
            }
            if (text.endsWith("/**")
                    && PLAIN.matcher(text.substring(0, text.length() - 3)).matches()) {
                return new Exclusion(text.substring(0, text.length() - 3), true, null);
            }
            return new Exclusion(null, false, pattern);
        }
    }

    private static void serve(
            AdmittedTenant tenant, HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        try {
            tenant.scope().call(() -> {
                chain.doFilter(request, response);
                return null;
            });
        } catch (IOException | ServletException | RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new ServletException(e);
        }
    }

    private TenantRequest tenantRequest(HttpServletRequest request) {
        TenantRequest.Builder built =
                TenantRequest.builder().host(request.getServerName()).path(path(request));
        Iterable<String> names = allHeaders ? Collections.list(request.getHeaderNames()) : headers;
        for (String name : names) {
            Enumeration<String> values = request.getHeaders(name);
            while (values != null && values.hasMoreElements()) {
                built.header(name, values.nextElement());
            }
        }
        claims.of(request).forEach(built::claim);
        return built.build();
    }

    private static String path(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        return context != null && !context.isEmpty() && uri.startsWith(context) ? uri.substring(context.length()) : uri;
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, TenancyException e)
            throws IOException {
        Map<String, Object> problem = problem(e);
        String type = (String) problem.get("type");
        refusals.refused(type.substring(PROBLEM_BASE.length()));
        LOG.debug("Refused {} {}: {}", request.getMethod(), request.getRequestURI(), e.getMessage());
        response.setStatus((Integer) problem.get("status"));
        response.setContentType("application/problem+json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getOutputStream().write(JSON.writeValueAsBytes(problem));
    }

    /** The RFC 9457 problem a refusal is answered with. */
    static Map<String, Object> problem(TenancyException e) {
        Map<String, Object> problem = new LinkedHashMap<>();
        switch (e) {
            case TenantNotResolvedException x -> put(problem, "tenant-not-resolved", "Tenant not resolved", 400);
            case InvalidTenantRequestException x -> {
                put(problem, "invalid-tenant", "Invalid tenant", 400);
                problem.put("resolver", x.resolver());
            }
            case InvalidTenantIdException x -> put(problem, "invalid-tenant", "Invalid tenant", 400);
            case TenantMismatchException x -> {
                put(problem, "tenant-mismatch", "Tenant mismatch", 403);
                problem.put("tenant", x.requested().value());
            }
            case TenantNotActiveException x -> {
                put(problem, "tenant-not-active", "Tenant not active", 403);
                problem.put("tenant", x.tenant().value());
                problem.put("tenantStatus", x.status().name()); // never the staff's reason
            }
            case UnknownTenantException x -> {
                put(problem, "unknown-tenant", "Unknown tenant", 404);
                problem.put("tenant", x.tenant());
            }
            default -> put(problem, "tenant-refused", "Tenant refused", 400);
        }
        problem.put("detail", e.getMessage());
        return problem;
    }

    private static void put(Map<String, Object> problem, String type, String title, int status) {
        problem.put("type", PROBLEM_BASE + type);
        problem.put("title", title);
        problem.put("status", status);
    }
}
