package dev.tenancy.benchmarks;

import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Value;
import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.context.ScopeCache;
import dev.tenancy.context.TenantContext;
import dev.tenancy.context.TenantScope;
import dev.tenancy.flags.FeatureFlags;
import dev.tenancy.flags.Flag;
import dev.tenancy.flags.FlagConfig;
import dev.tenancy.flags.FlagDefinition;
import dev.tenancy.flags.FlagStore;
import dev.tenancy.flags.openfeature.TenancyFlagProvider;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Evaluating a flag for the current tenant: (a) a flag that is on, (b) a 25 % rollout by tenant
 * with the current tenant changing across 1,024 tenants, (c) an allowlist of 64 tenants that
 * matches, (d) a 25 % rollout by user within the tenant over 1,024 user ids. The scope is entered
 * once per 1,024 evaluations (a, c, d) or once per tenant (b: 1,024 tenants x 64 evaluations), so
 * the figures are the evaluation itself plus that share of the scope.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
@State(Scope.Thread)
public class FlagsBenchmark {
    private static final int N = 1_024;
    private static final int PER_TENANT = 64;

    private FeatureFlags flags;
    private FeatureFlags countingFlags;
    private Flag on;
    private Flag countedOn;
    private Flag rollout;
    private Flag allowlist;
    private Flag userRollout;
    private FlagConfig<ExportLimits> exportLimits;
    private Client openFeature;
    private EvaluationContext openFeatureAcme;

    /** A flag's configuration payload, as an application reads it. */
    public record ExportLimits(int maxRows, List<String> formats) {}

    private TenantScope acme;
    private TenantScope allowed;
    private TenantScope[] tenants;
    private TenantId[] tenantIds;
    private String[] users;

    @Setup
    public void setUp() {
        FlagStore store = FlagStore.inMemory(AuditLog.inMemory());
        flags = FeatureFlags.builder().store(store).build();
        Actor ops = Actor.system("bench");
        tenantIds =
                IntStream.range(0, N).mapToObj(i -> TenantId.of("tenant-" + i)).toArray(TenantId[]::new);
        List<TenantId> sixtyFour = List.of(tenantIds).subList(0, 64);
        flags.define(FlagDefinition.builder("dark-mode").on().build(), ops, "bench");
        flags.define(FlagDefinition.builder("new-editor").rolloutByTenant(25).build(), ops, "bench");
        flags.define(FlagDefinition.builder("beta-reports").allow(sixtyFour).build(), ops, "bench");
        flags.define(FlagDefinition.builder("new-inbox").rolloutByUser(25).build(), ops, "bench");
        flags.define(
                FlagDefinition.builder("export-limits")
                        .on()
                        .config("{\"maxRows\": 1000, \"formats\": [\"csv\", \"xlsx\"]}")
                        .build(),
                ops,
                "bench");
        on = flags.flag("dark-mode");
        countingFlags =
                FeatureFlags.builder().store(store).countEvaluations(true).build();
        countedOn = countingFlags.flag("dark-mode");
        rollout = flags.flag("new-editor");
        allowlist = flags.flag("beta-reports");
        userRollout = flags.flag("new-inbox");
        exportLimits = flags.flag("export-limits").config(ExportLimits.class);
        OpenFeatureAPI.getInstance().setProviderAndWait("tenancy-bench", new TenancyFlagProvider(flags));
        openFeature = OpenFeatureAPI.getInstance().getClient("tenancy-bench");
        openFeatureAcme = new ImmutableContext(Map.of(TenancyFlagProvider.TENANT_ATTRIBUTE, new Value("acme")));
        if (!openFeature.getBooleanValue("dark-mode", false, openFeatureAcme)) {
            throw new IllegalStateException("Tenancy through OpenFeature does not answer (a) as expected");
        }
        acme = TenantContext.where(TenantId.of("acme"));
        allowed = TenantContext.where(tenantIds[37]);
        tenants = IntStream.range(0, N)
                .mapToObj(i -> TenantContext.where(tenantIds[i]))
                .toArray(TenantScope[]::new);
        users = IntStream.range(0, N).mapToObj(i -> "user-" + i).toArray(String[]::new);
    }

    @TearDown
    public void tearDown() {
        OpenFeatureAPI.getInstance().shutdown();
        flags.close();
        countingFlags.close();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void a_booleanOn(Blackhole bh) {
        acme.run(() -> {
            for (int i = 0; i < N; i++) {
                bh.consume(on.isEnabled());
            }
        });
    }

    /** (a) with per-flag evaluation counters on ({@code countEvaluations(true)}, "monitor feature usage"). */
    @Benchmark
    @OperationsPerInvocation(N)
    public void a_booleanOn_counted(Blackhole bh) {
        acme.run(() -> {
            for (int i = 0; i < N; i++) {
                bh.consume(countedOn.isEnabled());
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(N * PER_TENANT)
    public void b_tenantRollout25_over1024Tenants(Blackhole bh) {
        for (TenantScope tenant : tenants) {
            tenant.run(() -> {
                for (int i = 0; i < PER_TENANT; i++) {
                    bh.consume(rollout.isEnabled());
                }
            });
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void c_allowlist64_matching(Blackhole bh) {
        allowed.run(() -> {
            for (int i = 0; i < N; i++) {
                bh.consume(allowlist.isEnabled());
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void d_userRollout25_over1024Users(Blackhole bh) {
        acme.run(() -> {
            for (int i = 0; i < N; i++) {
                bh.consume(userRollout.isEnabledFor(users[i]));
            }
        });
    }

    /**
     * (a) through the standard OpenFeature API with Tenancy's provider, the tenant in the
     * evaluation context: what the SDK adds, to compare with {@code FlagPeersBenchmark.a_openFeatureInMemory}.
     */
    @Benchmark
    @OperationsPerInvocation(N)
    public void a_throughOpenFeature(Blackhole bh) {
        for (int i = 0; i < N; i++) {
            bh.consume(openFeature.getBooleanValue("dark-mode", false, openFeatureAcme));
        }
    }

    /** A typed configuration payload for the current tenant ({@code FlagConfig.get()}): parsed once, then shared. */
    @Benchmark
    @OperationsPerInvocation(N)
    public void config_currentTenant(Blackhole bh) {
        acme.run(() -> {
            for (int i = 0; i < N; i++) {
                bh.consume(exportLimits.get().orElseThrow().maxRows());
            }
        });
    }

    /** (b) with the tenant passed explicitly, no scope: the snapshot is found by tenant id. */
    @Benchmark
    @OperationsPerInvocation(N)
    public void b_explicitTenant_over1024Tenants(Blackhole bh) {
        for (int i = 0; i < N; i++) {
            bh.consume(rollout.isEnabled(tenantIds[i]));
        }
    }

    /** The floor of (a): the same loop reading only the bound tenant. */
    @Benchmark
    @OperationsPerInvocation(N)
    public void floor_boundTenant(Blackhole bh) {
        acme.run(() -> {
            for (int i = 0; i < N; i++) {
                bh.consume(TenantContext.current().isPresent());
            }
        });
    }

    private final ScopeCache<Boolean> cached = ScopeCache.create();

    /** The floor of (a) through the scope's cache: reading a value cached on the bound scope. */
    @Benchmark
    @OperationsPerInvocation(N)
    public void floor_scopeCache(Blackhole bh) {
        acme.run(() -> {
            cached.put(Boolean.TRUE);
            for (int i = 0; i < N; i++) {
                bh.consume(cached.get() != null);
            }
        });
    }

    /**
     * The floor of (b): the same 1,024 scopes entered and left, 64 times a boolean field into the
     * blackhole in each, no flag. (b) minus this is what its evaluations cost.
     */
    @Benchmark
    @OperationsPerInvocation(N * PER_TENANT)
    public void floor_b_scopeSwitching(Blackhole bh) {
        for (TenantScope tenant : tenants) {
            tenant.run(() -> {
                for (int i = 0; i < PER_TENANT; i++) {
                    bh.consume(countingOn);
                }
            });
        }
    }

    /** The floor of the loop itself: a boolean field into the blackhole. */
    @Benchmark
    @OperationsPerInvocation(N)
    public void floor_loop(Blackhole bh) {
        acme.run(() -> {
            for (int i = 0; i < N; i++) {
                bh.consume(countingOn);
            }
        });
    }

    private boolean countingOn = true;
}
