package dev.tenancy.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link HibernateBenchmark}'s find-and-update transaction, interleaved in one thread as {@link
 * RoutingInterleavedBenchmark} does for borrows: plain Hibernate, Hibernate's bare multi-tenancy
 * ({@code @TenantId} and a resolver) and Hibernate with Tenancy, one of each per invocation in
 * rotating order, each timed with {@link System#nanoTime()}, and a fourth case: the bare hooks
 * with connections through Hibernate's multi-tenant connection SPI over a plain pool, as Tenancy's
 * come. Read the ratios from the auxiliary counters: {@code tenancyNanos / plainNanos}, {@code
 * tenancyNanos / bareNanos} and {@code tenancyNanos / providerNanos}; the {@code *CpuNanos}
 * counters hold the same for the thread's CPU time, which tells client work from waiting on the
 * database.
 *
 * <p>Warm-up is 20 s: at about a thousand transactions a second, each case's own code (Tenancy's
 * borrow, called once per invocation) is still interpreted or in C1 after a few seconds on a
 * 2-core machine, and with 6 s the first measured iterations still trended down (Tenancy / plain
 * 1.24 → 1.04 within a fork).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 10, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(2)
@State(Scope.Thread)
public class HibernateInterleavedBenchmark {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private HibernateBenchmark hibernate;

    /** Nanoseconds spent in each side, and the pairs measured, per iteration (summed by JMH). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Split {
        public long plainNanos;
        public long bareNanos;
        public long providerNanos;
        public long tenancyNanos;
        public long plainCpuNanos;
        public long bareCpuNanos;
        public long providerCpuNanos;
        public long tenancyCpuNanos;
        public long triples;

        @Setup(Level.Iteration)
        public void clear() {
            plainNanos = 0;
            bareNanos = 0;
            providerNanos = 0;
            tenancyNanos = 0;
            plainCpuNanos = 0;
            bareCpuNanos = 0;
            providerCpuNanos = 0;
            tenancyCpuNanos = 0;
            triples = 0;
        }
    }

    @Setup
    public void setUp() throws SQLException {
        hibernate = new HibernateBenchmark();
        hibernate.setUp();
    }

    @TearDown
    public void tearDown() throws SQLException {
        hibernate.tearDown();
    }

    @Benchmark
    public int triple(Split split) {
        int result = 0;
        long start = split.triples % 4;
        for (int i = 0; i < 4; i++) {
            long c0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            switch ((int) ((start + i) % 4)) {
                case 0 -> {
                    result += hibernate.plainHibernate().length();
                    split.plainNanos += System.nanoTime() - t0;
                    split.plainCpuNanos += THREADS.getCurrentThreadCpuTime() - c0;
                }
                case 1 -> {
                    result += hibernate.bareHibernateTenantId().length();
                    split.bareNanos += System.nanoTime() - t0;
                    split.bareCpuNanos += THREADS.getCurrentThreadCpuTime() - c0;
                }
                case 2 -> {
                    result += hibernate.bareHibernateTenantIdWithProvider().length();
                    split.providerNanos += System.nanoTime() - t0;
                    split.providerCpuNanos += THREADS.getCurrentThreadCpuTime() - c0;
                }
                default -> {
                    result += hibernate.tenancyHibernate().length();
                    split.tenancyNanos += System.nanoTime() - t0;
                    split.tenancyCpuNanos += THREADS.getCurrentThreadCpuTime() - c0;
                }
            }
        }
        split.triples++;
        return result;
    }
}
