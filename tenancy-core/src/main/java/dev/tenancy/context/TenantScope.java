package dev.tenancy.context;

import dev.tenancy.TenantId;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A binding ready to be entered: runs work as one tenant (or in the system scope) and restores
 * whatever was bound before when the work returns or throws. Obtained from {@link
 * TenantContext#where(TenantId)} or {@link TenantContext#system()}; immutable (but for the values
 * libraries cache on it through {@link ScopeCache}), thread-safe and reusable, so a hot path may
 * keep one per tenant and enter it without allocating.
 */
public final class TenantScope {
    static final int CACHE_SLOTS = 4;

    record CacheEntry(ScopeCache<?> owner, Object value) {}

    /** {@link ScopeCache} values; allocated on first use, slots replaced whole (racy, never torn). */
    volatile CacheEntry[] cache;

    final TenantBinding binding;
    final Optional<TenantId> tenant;
    final String mdcValue;

    TenantScope(TenantBinding binding) {
        this.binding = binding;
        this.tenant = binding instanceof TenantBinding.Bound b ? Optional.of(b.id()) : Optional.empty();
        this.mdcValue = binding instanceof TenantBinding.Bound b ? b.id().value() : TenantContext.SYSTEM_MDC_VALUE;
    }

    void cache(int slot, CacheEntry entry) {
        CacheEntry[] entries = cache;
        if (entries == null) {
            entries = new CacheEntry[CACHE_SLOTS];
            cache = entries;
        }
        entries[slot] = entry;
    }

    /** What this scope binds. */
    public TenantBinding binding() {
        return binding;
    }

    /** Runs {@code work} in this scope. */
    public void run(Runnable work) {
        Objects.requireNonNull(work, "work");
        TenantScope outer = TenantContext.enter(this);
        try {
            work.run();
        } finally {
            TenantContext.exit(outer);
        }
    }

    /** Runs {@code work} in this scope and returns its result; its checked exception passes through. */
    public <T, X extends Throwable> T call(CallableOp<T, X> work) throws X {
        Objects.requireNonNull(work, "work");
        TenantScope outer = TenantContext.enter(this);
        try {
            return work.call();
        } finally {
            TenantContext.exit(outer);
        }
    }

    /** Runs {@code work} in this scope and returns its result. */
    public <T> T get(Supplier<T> work) {
        Objects.requireNonNull(work, "work");
        TenantScope outer = TenantContext.enter(this);
        try {
            return work.get();
        } finally {
            TenantContext.exit(outer);
        }
    }

    @Override
    public String toString() {
        return "TenantScope[" + binding + "]";
    }

    /**
     * Work that returns a value and may throw {@code X}, like {@link java.util.concurrent.Callable} but
     * with a precise exception type.
     */
    @FunctionalInterface
    public interface CallableOp<T, X extends Throwable> {
        T call() throws X;
    }
}
