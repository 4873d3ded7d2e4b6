package dev.tenancy.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.billing.Billing;
import dev.tenancy.billing.BillingCycle;
import dev.tenancy.billing.Limit;
import dev.tenancy.billing.Metric;
import dev.tenancy.billing.Money;
import dev.tenancy.billing.Plan;
import dev.tenancy.billing.Quota;
import dev.tenancy.billing.UsageMeter;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The in-memory quota check against Bucket4j's local {@code tryConsume}, one thread. Ours: {@link
 * UsageMeter#tryConsume} on a hard limit (a compare-and-set on this node's lease, refilled from the
 * database, here an in-memory H2, once per 100 million units) and on a soft limit (counted only).
 * Bucket4j: a local bucket with room for every call. Floor: one {@code AtomicLong} compare-and-set.
 * The {@code Handle} variants check through a {@link Quota} the caller holds, as Bucket4j's caller
 * holds its bucket; the others look the tenant's quota up on every call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
@State(Scope.Thread)
public class QuotaBenchmark {
    private static final TenantId ACME = TenantId.of("acme");
    private static final Metric EVENTS = Metric.monthly("events");

    private HikariDataSource dataSource;
    private UsageMeter meter;
    private Quota hardQuota;
    private Quota softQuota;
    private Bucket bucket;
    private final AtomicLong floor = new AtomicLong(Long.MAX_VALUE);

    @Setup
    public void setUp() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:quota_" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1");
        config.setMaximumPoolSize(4);
        dataSource = new HikariDataSource(config);
        AuditLog audit = AuditLog.inMemory();
        Actor ops = Actor.system("bench");
        Billing billing = Billing.builder(dataSource).auditLog(audit).build();
        billing.plans()
                .publish(
                        new Plan(
                                "bench",
                                "Bench",
                                "standard",
                                Money.of(100, "USD"),
                                Money.of(1_000, "USD"),
                                Map.of(
                                        "api_calls",
                                        Limit.hard(Long.MAX_VALUE - 1),
                                        "events",
                                        Limit.soft(1_000, Money.of(1, "USD"))),
                                Set.of()),
                        ops,
                        "bench");
        billing.subscriptions().subscribe(ACME, "bench", BillingCycle.MONTHLY, 0, ops, "bench");
        meter = billing.meter()
                .leaseChunk(100_000_000)
                .flushInterval(Duration.ofSeconds(1))
                .build();
        hardQuota = meter.quota(ACME, Metric.API_CALLS);
        softQuota = meter.quota(ACME, EVENTS);
        bucket = Bucket.builder()
                .addLimit(l -> l.capacity(1_000_000_000_000L).refillGreedy(1_000_000_000L, Duration.ofSeconds(1)))
                .build();
    }

    @TearDown
    public void tearDown() {
        meter.close();
        dataSource.close();
    }

    @Benchmark
    public boolean tenancyHardLimit() {
        return meter.tryConsume(ACME, Metric.API_CALLS, 1);
    }

    @Benchmark
    public boolean tenancySoftLimit() {
        return meter.tryConsume(ACME, EVENTS, 1);
    }

    @Benchmark
    public boolean tenancyHardLimitHandle() {
        return hardQuota.tryConsume(1);
    }

    @Benchmark
    public boolean tenancySoftLimitHandle() {
        return softQuota.tryConsume(1);
    }

    @Benchmark
    public boolean bucket4jLocal() {
        return bucket.tryConsume(1);
    }

    @Benchmark
    public boolean floorCompareAndSet() {
        long r = floor.get();
        return floor.compareAndSet(r, r - 1);
    }
}
