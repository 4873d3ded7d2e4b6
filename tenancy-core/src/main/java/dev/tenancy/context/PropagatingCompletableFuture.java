package dev.tenancy.context;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * A future whose async stages without an explicit executor run in the scope captured when the
 * future was made, and whose dependents carry the same scope.
 */
final class PropagatingCompletableFuture<T> extends CompletableFuture<T> {
    private final TenantScope scope;

    PropagatingCompletableFuture(TenantScope scope) {
        this.scope = scope;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new PropagatingCompletableFuture<>(scope);
    }

    @Override
    public Executor defaultExecutor() {
        Executor pool = ForkJoinPool.getCommonPoolParallelism() > 1
                ? ForkJoinPool.commonPool()
                : task -> Thread.ofVirtual().start(task);
        return task -> pool.execute(() -> {
            TenantScope outer = TenantContext.enter(scope);
            try {
                task.run();
            } finally {
                TenantContext.exit(outer);
            }
        });
    }
}
