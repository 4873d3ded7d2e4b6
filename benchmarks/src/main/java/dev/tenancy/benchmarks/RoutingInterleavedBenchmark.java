package dev.tenancy.benchmarks;

import dev.tenancy.IsolationModel;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link RoutingBenchmark}'s same-tenant borrow + {@code SELECT 1} + close, plain HikariCP and
 * {@code TenantDataSource} interleaved in one thread: every invocation runs one of each, in
 * alternating order, and times each with {@link System#nanoTime()} (~25 ns against a round trip of
 * tens of µs). Both operations of a pair see the same scheduler placement and server state, which
 * on this 2-core machine moves a round trip between ~10 and ~90 µs within a run; separately
 * measured figures swung by more than the ratio to be read.
 *
 * <p>Read the ratio from the auxiliary counters, summed over all iterations and forks: {@code
 * routedNanos / plainNanos}; {@code pairs} is how many pairs they cover.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(2)
@State(Scope.Thread)
public class RoutingInterleavedBenchmark {

    @Param({"SHARED", "SCHEMA", "DATABASE"})
    public IsolationModel model;

    private RoutingBenchmark routing;

    /** Nanoseconds spent in each side, and the pairs measured, per iteration (summed by JMH). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Split {
        public long plainNanos;
        public long routedNanos;
        public long pairs;

        @Setup(Level.Iteration)
        public void clear() {
            plainNanos = 0;
            routedNanos = 0;
            pairs = 0;
        }
    }

    @Setup
    public void setUp() throws SQLException {
        routing = new RoutingBenchmark();
        routing.model = model;
        routing.tenants = "same";
        routing.setUp();
    }

    @TearDown
    public void tearDown() throws SQLException {
        routing.tearDown();
    }

    @Benchmark
    public int pair(Split split) throws SQLException {
        long t0 = System.nanoTime();
        int result;
        if ((split.pairs & 1) == 0) {
            result = routing.plainHikari();
            long t1 = System.nanoTime();
            result += routing.tenantDataSource();
            long t2 = System.nanoTime();
            split.plainNanos += t1 - t0;
            split.routedNanos += t2 - t1;
        } else {
            result = routing.tenantDataSource();
            long t1 = System.nanoTime();
            result += routing.plainHikari();
            long t2 = System.nanoTime();
            split.routedNanos += t1 - t0;
            split.plainNanos += t2 - t1;
        }
        split.pairs++;
        return result;
    }
}
