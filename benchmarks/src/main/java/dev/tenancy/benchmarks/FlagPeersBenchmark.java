package dev.tenancy.benchmarks;

import com.launchdarkly.sdk.ContextKind;
import com.launchdarkly.sdk.LDContext;
import com.launchdarkly.sdk.server.Components;
import com.launchdarkly.sdk.server.LDClient;
import com.launchdarkly.sdk.server.LDConfig;
import com.launchdarkly.sdk.server.integrations.FileData;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Value;
import dev.openfeature.sdk.providers.memory.Flag;
import dev.openfeature.sdk.providers.memory.InMemoryProvider;
import io.getunleash.DefaultUnleash;
import io.getunleash.Unleash;
import io.getunleash.UnleashContext;
import io.getunleash.util.UnleashConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.ff4j.FF4j;
import org.ff4j.core.Feature;
import org.ff4j.core.FlippingExecutionContext;
import org.ff4j.strategy.ClientFilterStrategy;
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
import org.togglz.core.activation.GradualActivationStrategy;
import org.togglz.core.activation.UsernameActivationStrategy;
import org.togglz.core.manager.FeatureManager;
import org.togglz.core.manager.FeatureManagerBuilder;
import org.togglz.core.repository.FeatureState;
import org.togglz.core.repository.mem.InMemoryStateRepository;
import org.togglz.core.user.FeatureUser;
import org.togglz.core.user.SimpleFeatureUser;
import org.togglz.core.user.thread.ThreadLocalUserProvider;

/**
 * The {@link FlagsBenchmark} cases on the peers, each configured offline and with events and
 * metrics off: Unleash (bootstrap JSON), LaunchDarkly (file data source), OpenFeature's
 * in-memory provider (rules as context evaluators), Togglz (in-memory state, the tenant or user as
 * the Togglz user) and FF4j (in memory; it has no stable percentage rollout, so only (a) and (c)).
 * Contexts are built once in setup, as an application would cache them per request.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
@State(Scope.Thread)
public class FlagPeersBenchmark {
    private static final int N = 1_024;
    private static final int PER_TENANT = 64;

    /** Togglz features are an enum. */
    public enum BenchFeature implements org.togglz.core.Feature {
        DARK_MODE,
        NEW_EDITOR,
        BETA_REPORTS,
        NEW_INBOX
    }

    private String[] tenants;
    private List<String> sixtyFour;

    private Unleash unleash;
    private UnleashContext[] unleashTenants;
    private UnleashContext[] unleashUsers;

    private LDClient launchDarkly;
    private LDContext[] ldTenants;
    private LDContext[] ldUsers;

    private Client openFeature;
    private EvaluationContext[] ofTenants;
    private EvaluationContext[] ofUsers;

    private FeatureManager togglz;
    private FeatureUser[] togglzTenants;
    private FeatureUser[] togglzUsers;

    private FF4j ff4j;
    private FlippingExecutionContext ff4jAllowed;

    @Setup
    public void setUp() throws Exception {
        tenants = IntStream.range(0, N).mapToObj(i -> "tenant-" + i).toArray(String[]::new);
        sixtyFour = List.of(tenants).subList(0, 64);
        String[] users = IntStream.range(0, N).mapToObj(i -> "user-" + i).toArray(String[]::new);
        setUpUnleash(users);
        setUpLaunchDarkly(users);
        setUpOpenFeature(users);
        setUpTogglz(users);
        ff4j = new FF4j();
        ff4j.createFeature(new Feature("dark-mode", true));
        Feature beta = new Feature("beta-reports", true);
        beta.setFlippingStrategy(new ClientFilterStrategy(String.join(",", sixtyFour)));
        ff4j.createFeature(beta);
        ff4jAllowed = new FlippingExecutionContext();
        ff4jAllowed.putString(ClientFilterStrategy.CLIENT_HOSTNAME, tenants[37]);
        verify();
    }

    /** Each peer must give the answers the cases expect, or its figure means nothing. */
    private void verify() {
        require(
                "unleash",
                unleash.isEnabled("dark-mode", unleashTenants[0]),
                unleash.isEnabled("beta-reports", unleashTenants[37]),
                IntStream.range(0, N)
                        .filter(i -> unleash.isEnabled("new-editor", unleashTenants[i]))
                        .count(),
                IntStream.range(0, N)
                        .filter(i -> unleash.isEnabled("new-inbox", unleashUsers[i]))
                        .count());
        require(
                "launchdarkly",
                launchDarkly.boolVariation("dark-mode", ldTenants[0], false),
                launchDarkly.boolVariation("beta-reports", ldTenants[37], false),
                IntStream.range(0, N)
                        .filter(i -> launchDarkly.boolVariation("new-editor", ldTenants[i], false))
                        .count(),
                IntStream.range(0, N)
                        .filter(i -> launchDarkly.boolVariation("new-inbox", ldUsers[i], false))
                        .count());
        require(
                "openfeature",
                openFeature.getBooleanValue("dark-mode", false, ofTenants[0]),
                openFeature.getBooleanValue("beta-reports", false, ofTenants[37]),
                IntStream.range(0, N)
                        .filter(i -> openFeature.getBooleanValue("new-editor", false, ofTenants[i]))
                        .count(),
                IntStream.range(0, N)
                        .filter(i -> openFeature.getBooleanValue("new-inbox", false, ofUsers[i]))
                        .count());
        if (!ff4j.check("dark-mode") || !ff4j.check("beta-reports", ff4jAllowed)) {
            throw new IllegalStateException("ff4j does not answer the cases as expected");
        }
    }

    private static void require(String peer, boolean on, boolean allowed, long tenantRollout, long userRollout) {
        if (!on
                || !allowed
                || tenantRollout < N / 8
                || tenantRollout > N * 3 / 8
                || userRollout < N / 8
                || userRollout > N * 3 / 8) {
            throw new IllegalStateException(
                    peer + " does not answer the cases as expected: on=" + on + " allowlist=" + allowed
                            + " tenant rollout " + tenantRollout + "/" + N + " user rollout " + userRollout + "/" + N);
        }
    }

    private void setUpUnleash(String[] users) {
        String quotedSixtyFour = sixtyFour.stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(","));
        String json = """
                {"version": 2, "features": [
                  {"name": "dark-mode", "enabled": true, "strategies": [{"name": "default", "parameters": {}}]},
                  {"name": "new-editor", "enabled": true, "strategies": [{"name": "flexibleRollout",
                    "parameters": {"rollout": "25", "stickiness": "tenantId", "groupId": "new-editor"}}]},
                  {"name": "beta-reports", "enabled": true, "strategies": [{"name": "default", "parameters": {},
                    "constraints": [{"contextName": "tenantId", "operator": "IN", "values": [%s]}]}]},
                  {"name": "new-inbox", "enabled": true, "strategies": [{"name": "flexibleRollout",
                    "parameters": {"rollout": "25", "stickiness": "userId", "groupId": "new-inbox"}}]}
                ]}""".formatted(quotedSixtyFour);
        UnleashConfig config = UnleashConfig.builder()
                .appName("tenancy-bench")
                .unleashAPI("http://127.0.0.1:9/api")
                .disablePolling()
                .disableMetrics()
                .toggleBootstrapProvider(() -> Optional.of(json))
                .build();
        unleash = new DefaultUnleash(config);
        unleashTenants = IntStream.range(0, N)
                .mapToObj(i -> UnleashContext.builder()
                        .addProperty("tenantId", tenants[i])
                        .build())
                .toArray(UnleashContext[]::new);
        unleashUsers = IntStream.range(0, N)
                .mapToObj(i -> UnleashContext.builder()
                        .addProperty("tenantId", "acme")
                        .userId(users[i])
                        .build())
                .toArray(UnleashContext[]::new);
    }

    private void setUpLaunchDarkly(String[] users) throws Exception {
        String quotedSixtyFour = sixtyFour.stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(","));
        String json = """
                {"flags": {
                  "dark-mode": {"key": "dark-mode", "version": 1, "on": true, "variations": [true, false],
                    "offVariation": 1, "fallthrough": {"variation": 0}, "salt": "dark-mode"},
                  "new-editor": {"key": "new-editor", "version": 1, "on": true, "variations": [true, false],
                    "offVariation": 1, "salt": "new-editor", "fallthrough": {"rollout": {"contextKind": "tenant",
                    "variations": [{"variation": 0, "weight": 25000}, {"variation": 1, "weight": 75000}]}}},
                  "beta-reports": {"key": "beta-reports", "version": 1, "on": true, "variations": [true, false],
                    "offVariation": 1, "salt": "beta-reports", "fallthrough": {"variation": 1},
                    "contextTargets": [{"contextKind": "tenant", "variation": 0, "values": [%s]}]},
                  "new-inbox": {"key": "new-inbox", "version": 1, "on": true, "variations": [true, false],
                    "offVariation": 1, "salt": "new-inbox", "fallthrough": {"rollout": {"contextKind": "user",
                    "variations": [{"variation": 0, "weight": 25000}, {"variation": 1, "weight": 75000}]}}}
                }}""".formatted(quotedSixtyFour);
        Path file = Files.createTempFile("ld-flags", ".json");
        Files.writeString(file, json);
        file.toFile().deleteOnExit();
        LDConfig config = new LDConfig.Builder()
                .dataSource(FileData.dataSource().filePaths(file))
                .events(Components.noEvents())
                .diagnosticOptOut(true)
                .build();
        launchDarkly = new LDClient("sdk-key-offline", config);
        ContextKind tenantKind = ContextKind.of("tenant");
        ldTenants = IntStream.range(0, N)
                .mapToObj(i -> LDContext.create(tenantKind, tenants[i]))
                .toArray(LDContext[]::new);
        LDContext acme = LDContext.create(tenantKind, "acme");
        ldUsers = IntStream.range(0, N)
                .mapToObj(i -> LDContext.createMulti(acme, LDContext.create(users[i])))
                .toArray(LDContext[]::new);
    }

    private void setUpOpenFeature(String[] users) {
        Set<String> allowed = Set.copyOf(sixtyFour);
        Map<String, Flag<?>> flags = Map.of(
                "dark-mode",
                Flag.<Boolean>builder()
                        .variant("on", true)
                        .variant("off", false)
                        .defaultVariant("on")
                        .build(),
                "new-editor",
                Flag.<Boolean>builder()
                        .variant("on", true)
                        .variant("off", false)
                        .defaultVariant("off")
                        .contextEvaluator((flag, ctx) -> Math.floorMod(
                                        ctx.getValue("tenantId").asString().hashCode(), 100)
                                < 25)
                        .build(),
                "beta-reports",
                Flag.<Boolean>builder()
                        .variant("on", true)
                        .variant("off", false)
                        .defaultVariant("off")
                        .contextEvaluator((flag, ctx) ->
                                allowed.contains(ctx.getValue("tenantId").asString()))
                        .build(),
                "new-inbox",
                Flag.<Boolean>builder()
                        .variant("on", true)
                        .variant("off", false)
                        .defaultVariant("off")
                        .contextEvaluator((flag, ctx) ->
                                Math.floorMod(ctx.getTargetingKey().hashCode(), 100) < 25)
                        .build());
        OpenFeatureAPI.getInstance().setProviderAndWait("bench", new InMemoryProvider(flags));
        openFeature = OpenFeatureAPI.getInstance().getClient("bench");
        ofTenants = IntStream.range(0, N)
                .mapToObj(i -> new ImmutableContext(Map.of("tenantId", new Value(tenants[i]))))
                .toArray(EvaluationContext[]::new);
        ofUsers = IntStream.range(0, N)
                .mapToObj(i -> new ImmutableContext(users[i], Map.of("tenantId", new Value("acme"))))
                .toArray(EvaluationContext[]::new);
    }

    private void setUpTogglz(String[] users) {
        InMemoryStateRepository states = new InMemoryStateRepository();
        states.setFeatureState(new FeatureState(BenchFeature.DARK_MODE, true));
        states.setFeatureState(new FeatureState(BenchFeature.NEW_EDITOR, true)
                .setStrategyId(GradualActivationStrategy.ID)
                .setParameter(GradualActivationStrategy.PARAM_PERCENTAGE, "25"));
        states.setFeatureState(new FeatureState(BenchFeature.BETA_REPORTS, true)
                .setStrategyId(UsernameActivationStrategy.ID)
                .setParameter(UsernameActivationStrategy.PARAM_USERS, String.join(",", sixtyFour)));
        states.setFeatureState(new FeatureState(BenchFeature.NEW_INBOX, true)
                .setStrategyId(GradualActivationStrategy.ID)
                .setParameter(GradualActivationStrategy.PARAM_PERCENTAGE, "25"));
        togglz = new FeatureManagerBuilder()
                .featureEnum(BenchFeature.class)
                .stateRepository(states)
                .userProvider(new ThreadLocalUserProvider())
                .build();
        togglzTenants = IntStream.range(0, N)
                .mapToObj(i -> new SimpleFeatureUser(tenants[i]))
                .toArray(FeatureUser[]::new);
        togglzUsers = IntStream.range(0, N)
                .mapToObj(i -> new SimpleFeatureUser(users[i]))
                .toArray(FeatureUser[]::new);
    }

    @TearDown
    public void tearDown() throws Exception {
        unleash.shutdown();
        launchDarkly.close();
        OpenFeatureAPI.getInstance().shutdown();
    }

    // ---- (a) a flag that is on --------------------------------------------------------------

    @Benchmark
    @OperationsPerInvocation(N)
    public void a_unleash(Blackhole bh) {
        UnleashContext ctx = unleashTenants[0];
        for (int i = 0; i < N; i++) {
            bh.consume(unleash.isEnabled("dark-mode", ctx));
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void a_launchDarkly(Blackhole bh) {
        LDContext ctx = ldTenants[0];
        for (int i = 0; i < N; i++) {
            bh.consume(launchDarkly.boolVariation("dark-mode", ctx, false));
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void a_openFeatureInMemory(Blackhole bh) {
        EvaluationContext ctx = ofTenants[0];
        for (int i = 0; i < N; i++) {
            bh.consume(openFeature.getBooleanValue("dark-mode", false, ctx));
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void a_togglz(Blackhole bh) {
        ThreadLocalUserProvider.bind(togglzTenants[0]);
        try {
            for (int i = 0; i < N; i++) {
                bh.consume(togglz.isActive(BenchFeature.DARK_MODE));
            }
        } finally {
            ThreadLocalUserProvider.release();
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void a_ff4j(Blackhole bh) {
        for (int i = 0; i < N; i++) {
            bh.consume(ff4j.check("dark-mode"));
        }
    }

    // ---- (b) 25 % rollout by tenant over 1,024 tenants --------------------------------------

    @Benchmark
    @OperationsPerInvocation(N * PER_TENANT)
    public void b_unleash(Blackhole bh) {
        for (UnleashContext ctx : unleashTenants) {
            for (int i = 0; i < PER_TENANT; i++) {
                bh.consume(unleash.isEnabled("new-editor", ctx));
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(N * PER_TENANT)
    public void b_launchDarkly(Blackhole bh) {
        for (LDContext ctx : ldTenants) {
            for (int i = 0; i < PER_TENANT; i++) {
                bh.consume(launchDarkly.boolVariation("new-editor", ctx, false));
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(N * PER_TENANT)
    public void b_openFeatureInMemory(Blackhole bh) {
        for (EvaluationContext ctx : ofTenants) {
            for (int i = 0; i < PER_TENANT; i++) {
                bh.consume(openFeature.getBooleanValue("new-editor", false, ctx));
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(N * PER_TENANT)
    public void b_togglz(Blackhole bh) {
        for (FeatureUser tenant : togglzTenants) {
            ThreadLocalUserProvider.bind(tenant);
            try {
                for (int i = 0; i < PER_TENANT; i++) {
                    bh.consume(togglz.isActive(BenchFeature.NEW_EDITOR));
                }
            } finally {
                ThreadLocalUserProvider.release();
            }
        }
    }

    // ---- (c) allowlist of 64 tenants, matching ----------------------------------------------

    @Benchmark
    @OperationsPerInvocation(N)
    public void c_unleash(Blackhole bh) {
        UnleashContext ctx = unleashTenants[37];
        for (int i = 0; i < N; i++) {
            bh.consume(unleash.isEnabled("beta-reports", ctx));
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void c_launchDarkly(Blackhole bh) {
        LDContext ctx = ldTenants[37];
        for (int i = 0; i < N; i++) {
            bh.consume(launchDarkly.boolVariation("beta-reports", ctx, false));
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void c_openFeatureInMemory(Blackhole bh) {
        EvaluationContext ctx = ofTenants[37];
        for (int i = 0; i < N; i++) {
            bh.consume(openFeature.getBooleanValue("beta-reports", false, ctx));
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void c_togglz(Blackhole bh) {
        ThreadLocalUserProvider.bind(togglzTenants[37]);
        try {
            for (int i = 0; i < N; i++) {
                bh.consume(togglz.isActive(BenchFeature.BETA_REPORTS));
            }
        } finally {
            ThreadLocalUserProvider.release();
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void c_ff4j(Blackhole bh) {
        for (int i = 0; i < N; i++) {
            bh.consume(ff4j.check("beta-reports", ff4jAllowed));
        }
    }

    // ---- (d) 25 % rollout by user within a tenant, 1,024 users ------------------------------

    @Benchmark
    @OperationsPerInvocation(N)
    public void d_unleash(Blackhole bh) {
        for (int i = 0; i < N; i++) {
            bh.consume(unleash.isEnabled("new-inbox", unleashUsers[i]));
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void d_launchDarkly(Blackhole bh) {
        for (int i = 0; i < N; i++) {
            bh.consume(launchDarkly.boolVariation("new-inbox", ldUsers[i], false));
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void d_openFeatureInMemory(Blackhole bh) {
        for (int i = 0; i < N; i++) {
            bh.consume(openFeature.getBooleanValue("new-inbox", false, ofUsers[i]));
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void d_togglz(Blackhole bh) {
        for (int i = 0; i < N; i++) {
            ThreadLocalUserProvider.bind(togglzUsers[i]);
            try {
                bh.consume(togglz.isActive(BenchFeature.NEW_INBOX));
            } finally {
                ThreadLocalUserProvider.release();
            }
        }
    }
}
