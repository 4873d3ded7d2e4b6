package dev.tenancy.context;

import dev.tenancy.TenantId;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
    /** Slots owned by one {@link ScopeCache} each, and one more shared by any caches beyond them. */
    static final int CACHE_SLOTS = 8;

    static final int SHARED_SLOT = CACHE_SLOTS;

    /** A value in the shared slot, with the cache that put it. */
    record SharedEntry(ScopeCache<?> owner, Object value) {}

    /**
     * {@link ScopeCache} values: an owned slot holds the value itself, the shared slot a {@link
     * SharedEntry}. Allocated on first use; slots are replaced whole (racy, never torn).
     */
    volatile Object[] cache;

    final TenantBinding binding;
    final Optional<TenantId> tenant;
    final String mdcValue;
    final boolean readOnly;

    TenantScope(TenantBinding binding) {
        this(binding, false);
    }

    private TenantScope(TenantBinding binding, boolean readOnly) {
        this.binding = binding;
        this.readOnly = readOnly;
        this.tenant = binding instanceof TenantBinding.Bound b ? Optional.of(b.id()) : Optional.empty();
        this.mdcValue = binding instanceof TenantBinding.Bound b ? b.id().value() : TenantContext.SYSTEM_MDC_VALUE;
    }

    /**
     * Slots are written with release and read with acquire, so a value put by one thread is seen
     * whole (with everything its producer wrote before putting it) by work propagated to another.
     */
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);

    void cache(int slot, Object value) {
        Object[] entries = cache;
        if (entries == null) {
            entries = new Object[CACHE_SLOTS + 1];
            cache = entries;
        }
        SLOT.setRelease(entries, slot, value);
    }

    static Object cached(Object[] entries, int slot) {
        return SLOT.getAcquire(entries, slot);
    }

    /** What this scope binds. */
    public TenantBinding binding() {
        return binding;
    }

    /**
     * The same binding, read-only: connections that {@code TenantDataSource} hands out inside it
     * refuse writes (on PostgreSQL the session is read-only and a signed binding is marked so; on
     * H2 writing statements are refused before they run), whatever the tenant's status. For
     * reports, exports and read-only impersonation. Read-only is inherited: any scope entered
     * inside this one, for whichever tenant or the system, is entered read-only too (as a new
     * scope, so values cached through {@link ScopeCache} on the original are not seen there).
     */
    public TenantScope readOnly() {
        return readOnly ? this : new TenantScope(binding, true);
    }

    /** Whether work in this scope may only read; see {@link #readOnly()}. */
    public boolean isReadOnly() {
        return readOnly;
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
        return "TenantScope[" + binding + (readOnly ? ", read-only]" : "]");
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
