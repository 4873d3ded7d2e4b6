package dev.tenancy.benchmarks;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.resolve.AdmittedTenant;
import dev.tenancy.resolve.TenantAdmission;
import dev.tenancy.resolve.TenantRequest;
import dev.tenancy.resolve.TenantResolver;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
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

/**
 * From request to admitted tenant on a catalog cache hit: resolve (subdomain, header, with the
 * authenticated-claim cross-check), validate the id, look it up in the Caffeine-cached catalog and
 * check its status. 1,000 tenants registered; requests cycle over 64 of them.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ResolutionBenchmark {
    private static final int REQUESTS = 64;

    private TenantAdmission bySubdomain;
    private TenantAdmission byHeaderWithClaimCheck;
    private TenantRequest[] hostRequests;
    private TenantRequest[] headerRequests;
    private Map<String, Object> plainMap;
    private String[] keys;
    private int i;

    @Setup
    public void setUp() {
        TenantCatalog catalog =
                TenantCatalog.cached(TenantCatalog.inMemory(AuditLog.inMemory()), Duration.ofMinutes(5));
        Actor admin = Actor.system("bench");
        plainMap = new HashMap<>();
        for (int t = 0; t < 1000; t++) {
            TenantId id = TenantId.of("tenant-" + t);
            catalog.register(
                    TenantRegistration.builder(id, "Tenant " + t).active().build(), admin);
            plainMap.put(id.value(), id);
        }
        bySubdomain = TenantAdmission.builder()
                .catalog(catalog)
                .resolvers(TenantResolver.subdomain("app.example.com"), TenantResolver.header())
                .build();
        byHeaderWithClaimCheck = TenantAdmission.builder()
                .catalog(catalog)
                .resolvers(
                        TenantResolver.subdomain("app.example.com"),
                        TenantResolver.header(),
                        TenantResolver.claim("tenant_id"))
                .authenticatedClaim("tenant_id")
                .build();
        hostRequests = new TenantRequest[REQUESTS];
        headerRequests = new TenantRequest[REQUESTS];
        keys = new String[REQUESTS];
        for (int r = 0; r < REQUESTS; r++) {
            String id = "tenant-" + (r * 15);
            keys[r] = id;
            hostRequests[r] = TenantRequest.builder()
                    .host(id + ".app.example.com:443")
                    .path("/api/orders")
                    .header("Accept", "application/json")
                    .build();
            headerRequests[r] = TenantRequest.builder()
                    .host("api.example.net")
                    .header("X-Tenant-ID", id)
                    .header("Accept", "application/json")
                    .claim("tenant_id", id)
                    .claim("sub", "user-" + r)
                    .build();
            bySubdomain.admit(hostRequests[r]);
            byHeaderWithClaimCheck.admit(headerRequests[r]);
        }
    }

    @Benchmark
    public AdmittedTenant admit_subdomain() {
        return bySubdomain.admit(hostRequests[i++ & (REQUESTS - 1)]);
    }

    @Benchmark
    public AdmittedTenant admit_headerCheckedAgainstClaim() {
        return byHeaderWithClaimCheck.admit(headerRequests[i++ & (REQUESTS - 1)]);
    }

    @Benchmark
    public Object floor_hashMapLookup() {
        return plainMap.get(keys[i++ & (REQUESTS - 1)]);
    }
}
