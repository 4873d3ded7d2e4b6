package dev.tenancy.context;

import java.util.concurrent.Executor;

/** Runs each task in the scope that was current when it was submitted. */
final class PropagatingExecutor implements Executor {
    private final Executor delegate;

    PropagatingExecutor(Executor delegate) {
        this.delegate = delegate;
    }

    @Override
    public void execute(Runnable task) {
        delegate.execute(TenantContext.wrap(task));
    }

    @Override
    public String toString() {
        return "TenantContext.wrap(" + delegate + ")";
    }
}
