package dev.tenancy.benchmarks;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.resolve.TenantAdmission;
import dev.tenancy.resolve.TenantRequest;
import dev.tenancy.resolve.TenantResolver;
import dev.tenancy.spring.TenantClaims;
import dev.tenancy.spring.TenantFilter;
import jakarta.servlet.FilterChain;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * What {@link TenantFilter} adds to a request: resolve and admit it (catalog cache hit), bind the
 * scope, run the chain, unbind. Requests carry a browser's nine headers and cycle over 64 of 1,000
 * tenants. {@code chainOnly} is the same loop without the filter; {@code admissionOnly} admits a
 * prebuilt {@code TenantRequest} (no servlet request read, no scope); {@code scopeOnly} enters and
 * leaves a scope; {@code copyAllHeaders} is what the first version did with every request's headers.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class TenantFilterBenchmark {
    private static final int REQUESTS = 64;

    private TenantFilter byHeader;
    private TenantFilter bySubdomain;
    private TenantFilter byHeaderNoExclusions;
    private TenantAdmission headerAdmission;
    private MockHttpServletRequest[] headerRequests;
    private MockHttpServletRequest[] hostRequests;
    private TenantRequest[] prebuilt;
    private final MockHttpServletResponse response = new MockHttpServletResponse();
    private FilterChain chain;
    private Blackhole blackhole;
    private int i;

    @Setup
    public void setUp(Blackhole blackhole) {
        this.blackhole = blackhole;
        TenantCatalog catalog =
                TenantCatalog.cached(TenantCatalog.inMemory(AuditLog.inMemory()), Duration.ofMinutes(5));
        for (int t = 0; t < 1000; t++) {
            catalog.register(
                    TenantRegistration.builder(TenantId.of("tenant-" + t), "Tenant " + t)
                            .active()
                            .build(),
                    Actor.system("bench"));
        }
        headerAdmission = TenantAdmission.builder()
                .catalog(catalog)
                .resolvers(TenantResolver.header())
                .build();
        TenantAdmission subdomainAdmission = TenantAdmission.builder()
                .catalog(catalog)
                .resolvers(TenantResolver.subdomain("app.example.com"))
                .build();
        List<String> excluded = List.of("/actuator/**", "/error");
        byHeader = new TenantFilter(headerAdmission, TenantClaims.NONE, excluded);
        bySubdomain = new TenantFilter(subdomainAdmission, TenantClaims.NONE, excluded);
        byHeaderNoExclusions = new TenantFilter(headerAdmission, TenantClaims.NONE, List.of());
        headerRequests = new MockHttpServletRequest[REQUESTS];
        hostRequests = new MockHttpServletRequest[REQUESTS];
        prebuilt = new TenantRequest[REQUESTS];
        for (int r = 0; r < REQUESTS; r++) {
            String tenant = "tenant-" + (r * 15);
            headerRequests[r] = browserRequest("app.example.com");
            headerRequests[r].addHeader("X-Tenant-ID", tenant);
            hostRequests[r] = browserRequest(tenant + ".app.example.com");
            prebuilt[r] = TenantRequest.builder()
                    .host("app.example.com")
                    .path("/api/orders/42")
                    .header("X-Tenant-ID", tenant)
                    .build();
        }
        chain = (request, response) -> this.blackhole.consume(TenantContext.current());
    }

    private static MockHttpServletRequest browserRequest(String host) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/orders/42");
        request.setServerName(host);
        request.addHeader("Host", host);
        request.addHeader(
                "User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36");
        request.addHeader("Accept", "application/json, text/plain, */*");
        request.addHeader("Accept-Encoding", "gzip, deflate, br, zstd");
        request.addHeader("Accept-Language", "en-GB,en;q=0.9");
        request.addHeader("Cookie", "session=0123456789abcdef0123456789abcdef");
        request.addHeader("Connection", "keep-alive");
        request.addHeader("Referer", "https://" + host + "/orders");
        return request;
    }

    private int next() {
        i = (i + 1) & (REQUESTS - 1);
        return i;
    }

    @Benchmark
    public void chainOnly() throws Exception {
        MockHttpServletRequest request = headerRequests[next()];
        chain.doFilter(request, response);
        request.removeAttribute(TenantFilter.TENANT_ATTRIBUTE);
    }

    @Benchmark
    public void filterByHeader() throws Exception {
        MockHttpServletRequest request = headerRequests[next()];
        byHeader.doFilter(request, response, chain);
        request.removeAttribute(TenantFilter.TENANT_ATTRIBUTE);
    }

    @Benchmark
    public void filterBySubdomain() throws Exception {
        MockHttpServletRequest request = hostRequests[next()];
        bySubdomain.doFilter(request, response, chain);
        request.removeAttribute(TenantFilter.TENANT_ATTRIBUTE);
    }

    @Benchmark
    public void filterByHeader_noExclusions() throws Exception {
        MockHttpServletRequest request = headerRequests[next()];
        byHeaderNoExclusions.doFilter(request, response, chain);
        request.removeAttribute(TenantFilter.TENANT_ATTRIBUTE);
    }

    @Benchmark
    public Object copyAllHeaders() {
        MockHttpServletRequest request = headerRequests[next()];
        TenantRequest.Builder built =
                TenantRequest.builder().host(request.getServerName()).path(request.getRequestURI());
        for (String name : Collections.list(request.getHeaderNames())) {
            for (String value : Collections.list(request.getHeaders(name))) {
                built.header(name, value);
            }
        }
        return built.build();
    }

    @Benchmark
    public Object scopeOnly() throws Exception {
        return TenantContext.where(TENANT).call(TenantContext::current);
    }

    private static final TenantId TENANT = TenantId.of("tenant-15");

    @Benchmark
    public Object admissionOnly() {
        return headerAdmission.admit(prebuilt[next()]);
    }
}
