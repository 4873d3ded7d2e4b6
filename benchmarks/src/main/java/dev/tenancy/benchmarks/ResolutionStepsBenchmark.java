package dev.tenancy.benchmarks;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.internal.Hosts;
import java.time.Duration;
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

/** The steps of {@link ResolutionBenchmark} one by one: parse an id, normalise a host, a cached catalog hit. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ResolutionStepsBenchmark {
    TenantCatalog catalog;
    TenantId[] ids = new TenantId[64];
    String[] raw = new String[64];
    String[] hosts = new String[64];
    int i;

    @Setup
    public void setUp() {
        catalog = TenantCatalog.cached(TenantCatalog.inMemory(AuditLog.inMemory()), Duration.ofMinutes(5));
        for (int t = 0; t < 64; t++) {
            ids[t] = TenantId.of("tenant-" + t * 15);
            raw[t] = "tenant-" + t * 15;
            hosts[t] = raw[t] + ".app.example.com:443";
            catalog.register(TenantRegistration.builder(ids[t], "T").active().build(), Actor.system("b"));
            catalog.find(ids[t]);
        }
    }

    @Benchmark
    public Object tenantIdOf() {
        return TenantId.of(raw[i++ & 63]);
    }

    @Benchmark
    public Object hostsNormalize() {
        return Hosts.normalize(hosts[i++ & 63]);
    }

    @Benchmark
    public Object cachedFind() {
        return catalog.find(ids[i++ & 63]);
    }
}
