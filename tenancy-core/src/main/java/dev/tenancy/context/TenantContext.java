package dev.tenancy.context;

import dev.tenancy.TenantId;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * The tenant the current work runs as, held for exactly the scope of that work.
 *
 * <pre>{@code
 * TenantContext.where(TenantId.of("acme")).run(() -> {
 *     TenantContext.require();            // acme
 *     executor.submit(TenantContext.wrap(task)); // the task runs as acme too
 * });
 * TenantContext.current();                // Optional.empty(): restored after the scope
 * }</pre>
 *
 * <p>Scopes nest: entering a scope inside another binds the inner one and restores the outer one
 * when the inner work returns or throws. There is no bare setter, so nothing can leave a tenant
 * bound to a pooled thread. The {@linkplain #system() system scope} is for cross-tenant platform
 * work; it is distinguishable from "nothing bound" and {@link #require()} refuses both.
 *
 * <p>Work that crosses threads carries the scope only when wrapped: {@link #wrap(Runnable)}, {@link
 * #wrap(Callable)}, {@link #wrap(Executor)}, {@link #wrap(ExecutorService)}, {@link
 * #wrap(ScheduledExecutorService)} and {@link #wrap(CompletableFuture)}. A wrapped task runs in the
 * scope that was current when it was <em>submitted</em>, and the thread that runs it returns to
 * its previous binding afterwards. Works the same on platform and virtual threads; no {@code
 * InheritableThreadLocal} is involved.
 *
 * <p>While a scope is entered the SLF4J {@link MDC} holds the tenant id under {@value #MDC_KEY}
 * ({@value #SYSTEM_MDC_VALUE} in the system scope).
 *
 * <p>Thread-safe: all state is per thread.
 */
public final class TenantContext {

    /** The MDC key holding the current tenant id while a scope is entered. */
    public static final String MDC_KEY = "tenant";

    /** The MDC value of the system scope; never a valid tenant id. */
    public static final String SYSTEM_MDC_VALUE = "(system)";

    private static final TenantScope SYSTEM = new TenantScope(new TenantBinding.System());
    private static final TenantBinding UNBOUND = new TenantBinding.Unbound();

    // The only ThreadLocal in Tenancy (an architecture test keeps it so).
    private static final ThreadLocal<TenantScope> CURRENT = new ThreadLocal<>();

    private TenantContext() {}

    /** A scope that runs work as {@code tenant}. */
    public static TenantScope where(TenantId tenant) {
        return new TenantScope(new TenantBinding.Bound(Objects.requireNonNull(tenant, "tenant")));
    }

    /** The system scope, for cross-tenant platform work. */
    public static TenantScope system() {
        return SYSTEM;
    }

    /** The tenant of the current scope; empty when nothing is bound or in the system scope. */
    public static Optional<TenantId> current() {
        TenantScope scope = CURRENT.get();
        return scope == null ? Optional.empty() : scope.tenant;
    }

    /**
     * The tenant of the current scope.
     *
     * @throws NoTenantBoundException when nothing is bound or the system scope is (fail closed)
     */
    public static TenantId require() {
        TenantScope scope = CURRENT.get();
        if (scope != null && scope.binding instanceof TenantBinding.Bound bound) {
            return bound.id();
        }
        throw new NoTenantBoundException(scope != null);
    }

    /** The scope the current thread runs in; {@code null} when nothing is bound. */
    static TenantScope currentScope() {
        return CURRENT.get();
    }

    /** What the current thread runs as. */
    public static TenantBinding binding() {
        TenantScope scope = CURRENT.get();
        return scope == null ? UNBOUND : scope.binding;
    }

    /** Whether the current thread runs in the system scope. */
    public static boolean isSystem() {
        TenantScope scope = CURRENT.get();
        return scope != null && scope.binding instanceof TenantBinding.System;
    }

    /** Whether the current scope is read-only ({@link TenantScope#readOnly()}); {@code false} when nothing is bound. */
    public static boolean isReadOnly() {
        TenantScope scope = CURRENT.get();
        return scope != null && scope.readOnly;
    }

    /** Returns {@code task} bound to the scope current now; it restores the runner's binding after. */
    public static Runnable wrap(Runnable task) {
        Objects.requireNonNull(task, "task");
        TenantScope captured = CURRENT.get();
        return () -> {
            TenantScope outer = enter(captured);
            try {
                task.run();
            } finally {
                exit(outer);
            }
        };
    }

    /** Returns {@code task} bound to the scope current now; it restores the runner's binding after. */
    public static <T> Callable<T> wrap(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        TenantScope captured = CURRENT.get();
        return () -> {
            TenantScope outer = enter(captured);
            try {
                return task.call();
            } finally {
                exit(outer);
            }
        };
    }

    /** Returns {@code supplier} bound to the scope current now. */
    public static <T> Supplier<T> wrap(Supplier<T> supplier) {
        Objects.requireNonNull(supplier, "supplier");
        TenantScope captured = CURRENT.get();
        return () -> {
            TenantScope outer = enter(captured);
            try {
                return supplier.get();
            } finally {
                exit(outer);
            }
        };
    }

    /** An executor whose tasks run in the scope that was current when each was submitted. */
    public static Executor wrap(Executor executor) {
        Objects.requireNonNull(executor, "executor");
        return executor instanceof PropagatingExecutor ? executor : new PropagatingExecutor(executor);
    }

    /** An executor service whose tasks run in the scope that was current when each was submitted. */
    public static ExecutorService wrap(ExecutorService executor) {
        Objects.requireNonNull(executor, "executor");
        return executor instanceof PropagatingExecutorService ? executor : new PropagatingExecutorService(executor);
    }

    /** A scheduled executor whose tasks (one-shot and periodic) run in the scope current at submission. */
    public static ScheduledExecutorService wrap(ScheduledExecutorService executor) {
        Objects.requireNonNull(executor, "executor");
        return executor instanceof PropagatingScheduledExecutorService
                ? executor
                : new PropagatingScheduledExecutorService(executor);
    }

    /**
     * A future that completes with {@code future} and whose dependent stages carry the scope current
     * now: every {@code *Async} stage without an explicit executor runs in that scope, and so do the
     * stages that follow it. Stages given their own executor run in that executor's binding; pass
     * one from {@link #wrap(Executor)}.
     */
    public static <T> CompletableFuture<T> wrap(CompletableFuture<T> future) {
        Objects.requireNonNull(future, "future");
        PropagatingCompletableFuture<T> result = new PropagatingCompletableFuture<>(CURRENT.get());
        future.whenComplete((value, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(value);
            }
        });
        return result;
    }

    /** Like {@link CompletableFuture#supplyAsync(Supplier, Executor)}, in the current scope. */
    public static <T> CompletableFuture<T> supplyAsync(Supplier<T> supplier, Executor executor) {
        PropagatingCompletableFuture<T> result = new PropagatingCompletableFuture<>(CURRENT.get());
        Supplier<T> bound = wrap(supplier);
        executor.execute(() -> {
            try {
                result.complete(bound.get());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** Like {@link CompletableFuture#runAsync(Runnable, Executor)}, in the current scope. */
    public static CompletableFuture<Void> runAsync(Runnable task, Executor executor) {
        return supplyAsync(
                () -> {
                    task.run();
                    return null;
                },
                executor);
    }

    // --- entering and leaving; package-private so only TenantScope and the wrappers bind ---

    static TenantScope enter(TenantScope scope) {
        TenantScope outer = CURRENT.get();
        if (scope != outer) {
            // Read-only is inherited: nothing entered inside a read-only scope writes.
            switchTo(outer != null && outer.readOnly && scope != null ? scope.readOnly() : scope);
        }
        return outer;
    }

    static void exit(TenantScope outer) {
        if (CURRENT.get() != outer) {
            switchTo(outer);
        }
    }

    private static void switchTo(TenantScope scope) {
        if (scope == null) {
            CURRENT.remove();
            MDC.remove(MDC_KEY);
        } else {
            CURRENT.set(scope);
            MDC.put(MDC_KEY, scope.mdcValue);
        }
    }

    static TenantScope captured() {
        return CURRENT.get();
    }
}
