package dev.tenancy.context;

import dev.tenancy.TenantId;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.slf4j.MDC;

/**
 * The cost of the tenant context: entering and leaving a scope (with the MDC update, on Logback),
 * reading the current tenant, and the plain {@code ThreadLocal} and MDC operations underneath as
 * the floor. Lives in the context package to hold a scope open across invocations.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ContextBenchmark {
    private static final ThreadLocal<Object> PLAIN = new ThreadLocal<>();

    private final TenantId acme = TenantId.of("acme");
    private final TenantScope scope = TenantContext.where(acme);
    private final Runnable noop = () -> {};
    private TenantScope outer;

    @Setup(Level.Iteration)
    public void bind() {
        // Held open so current()/require() read a bound context, as they do inside a request.
        outer = TenantContext.enter(TenantContext.where(TenantId.of("outer")));
    }

    @TearDown(Level.Iteration)
    public void unbind() {
        TenantContext.exit(outer);
    }

    @Benchmark
    public void enterAndLeave_reusedScope() {
        scope.run(noop);
    }

    @Benchmark
    public void enterAndLeave_newScope() {
        TenantContext.where(acme).run(noop);
    }

    @Benchmark
    public Optional<TenantId> current() {
        return TenantContext.current();
    }

    @Benchmark
    public TenantId require() {
        return TenantContext.require();
    }

    @Benchmark
    public void floor_threadLocalSetAndRestore(Blackhole bh) {
        Object previous = PLAIN.get();
        PLAIN.set(acme);
        bh.consume(PLAIN.get());
        PLAIN.set(previous);
    }

    @Benchmark
    public void floor_mdcPutAndRestore() {
        MDC.put("tenant", "acme");
        MDC.put("tenant", "outer");
    }
}
