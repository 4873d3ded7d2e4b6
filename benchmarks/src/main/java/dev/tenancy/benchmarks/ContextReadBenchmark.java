package dev.tenancy.benchmarks;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What reading the current tenant could cost: a {@link ThreadLocal} (what {@code TenantContext}
 * uses on {@code --release 21}) against a {@code ScopedValue} (final in JDK 25), read 1,024 times
 * inside one binding, as a flag evaluation loop does. The scoped value is reached through a
 * constant {@link MethodHandle}, the only way {@code --release 21} code can use it; on a JDK
 * before 25 that case fails in setup.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(2)
@State(Scope.Thread)
public class ContextReadBenchmark {
    private static final int N = 1_024;

    /** A stand-in for the bound scope: the value a read leads to. */
    static final class Bound {
        final int[] values = new int[64];

        Bound() {
            values[7] = 1;
        }
    }

    private static final Bound NONE = new Bound();
    private static final ThreadLocal<Bound> THREAD_LOCAL = new ThreadLocal<>();
    private static final Object SCOPED; // a java.lang.ScopedValue<Bound>, or null before JDK 25
    private static final MethodHandle SCOPED_READ; // () -> Bound (orElse(NONE))
    private static final MethodHandle SCOPED_RUN; // (Bound, Runnable) -> void

    static {
        Object scoped = null;
        MethodHandle read = null;
        MethodHandle run = null;
        if (Runtime.version().feature() >= 25) {
            try {
                Class<?> type = Class.forName("java.lang.ScopedValue");
                Class<?> carrier = Class.forName("java.lang.ScopedValue$Carrier");
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                scoped = lookup.findStatic(type, "newInstance", MethodType.methodType(type))
                        .invoke();
                read = MethodHandles.insertArguments(
                                lookup.findVirtual(type, "orElse", MethodType.methodType(Object.class, Object.class)),
                                0,
                                scoped,
                                NONE)
                        .asType(MethodType.methodType(Bound.class));
                MethodHandle where = MethodHandles.insertArguments(
                        lookup.findStatic(type, "where", MethodType.methodType(carrier, type, Object.class)),
                        0,
                        scoped);
                MethodHandle carrierRun =
                        lookup.findVirtual(carrier, "run", MethodType.methodType(void.class, Runnable.class));
                run = MethodHandles.filterArguments(
                        carrierRun, 0, where.asType(MethodType.methodType(carrier, Bound.class)));
            } catch (Throwable e) {
                throw new ExceptionInInitializerError(e);
            }
        }
        SCOPED = scoped;
        SCOPED_READ = read;
        SCOPED_RUN = run;
    }

    private final Bound bound = new Bound();

    @Benchmark
    @OperationsPerInvocation(N)
    public void threadLocal(Blackhole bh) {
        THREAD_LOCAL.set(bound);
        try {
            for (int i = 0; i < N; i++) {
                Bound b = THREAD_LOCAL.get();
                bh.consume(b != null && b.values[7] == 1);
            }
        } finally {
            THREAD_LOCAL.remove();
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void scopedValue(Blackhole bh) throws Throwable {
        if (SCOPED == null) {
            throw new IllegalStateException("ScopedValue needs JDK 25 or later; this is " + Runtime.version());
        }
        SCOPED_RUN.invokeExact(bound, (Runnable) () -> {
            for (int i = 0; i < N; i++) {
                Bound b = read();
                bh.consume(b != NONE && b.values[7] == 1);
            }
        });
    }

    private static Bound read() {
        try {
            return (Bound) SCOPED_READ.invokeExact();
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** The loop and the blackhole alone. */
    @Benchmark
    @OperationsPerInvocation(N)
    public void loop(Blackhole bh) {
        for (int i = 0; i < N; i++) {
            bh.consume(bound.values[7] == 1);
        }
    }
}
