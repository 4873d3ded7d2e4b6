package dev.tenancy.context;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A value derived from the current {@link TenantScope}, cached on the scope itself: for libraries
 * built on Tenancy that look something up per tenant on a hot path (a tenant's flag snapshot, its
 * jOOQ configuration). {@link #get()} costs the thread's binding read and two array reads, and
 * allocates nothing; the value lives as long as the scope.
 *
 * <pre>{@code
 * private final ScopeCache<Snapshot> snapshots = ScopeCache.create();
 *
 * Snapshot current() {
 *     Snapshot s = snapshots.get();
 *     if (s == null || s.stale()) {
 *         s = compute(TenantContext.require());
 *         snapshots.put(s);
 *     }
 *     return s;
 * }
 * }</pre>
 *
 * <p>The first {@value TenantScope#CACHE_SLOTS} caches created in a JVM own a slot of every scope;
 * caches created after them share one more slot and may evict each other there (correct, only
 * slower). Create caches once, in long-lived components. Work propagated to other threads shares
 * its scope and so its cached values: cache only what is immutable.
 */
public final class ScopeCache<T> {
    private static final AtomicInteger NEXT = new AtomicInteger();

    /** This cache's own slot, or {@link TenantScope#SHARED_SLOT} once every slot is owned. */
    private final int slot;

    private ScopeCache() {
        int next = NEXT.getAndUpdate(n -> Math.min(n + 1, TenantScope.CACHE_SLOTS));
        this.slot = next < TenantScope.CACHE_SLOTS ? next : TenantScope.SHARED_SLOT;
    }

    public static <T> ScopeCache<T> create() {
        return new ScopeCache<>();
    }

    /** The value put for the current scope; {@code null} when none was, or nothing is bound. */
    @SuppressWarnings("unchecked")
    public T get() {
        TenantScope scope = TenantContext.currentScope();
        if (scope == null) {
            return null;
        }
        Object[] entries = scope.cache;
        if (entries == null) {
            return null;
        }
        int slot = this.slot; // one field read: whether it is owned is a comparison with a constant
        Object value = TenantScope.cached(entries, slot);
        if (slot != TenantScope.SHARED_SLOT) {
            return (T) value;
        }
        return value instanceof TenantScope.SharedEntry shared && shared.owner() == this ? (T) shared.value() : null;
    }

    /** Caches {@code value} for the current scope; nothing when nothing is bound. */
    public void put(T value) {
        TenantScope scope = TenantContext.currentScope();
        if (scope != null) {
            scope.cache(slot, slot != TenantScope.SHARED_SLOT ? value : new TenantScope.SharedEntry(this, value));
        }
    }
}
