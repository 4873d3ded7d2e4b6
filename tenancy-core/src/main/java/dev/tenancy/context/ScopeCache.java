package dev.tenancy.context;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A value derived from the current {@link TenantScope}, cached on the scope itself: for libraries
 * built on Tenancy that look something up per tenant on a hot path (a tenant's flag snapshot, its
 * jOOQ configuration). {@link #get()} costs the thread's binding read and three field reads, and
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
 * <p>A scope has {@value TenantScope#CACHE_SLOTS} slots; caches created beyond that share them and
 * may evict each other (correct, only slower). Work propagated to other threads shares its scope
 * and so its cached values: cache only what is immutable.
 */
public final class ScopeCache<T> {
    private static final AtomicInteger NEXT = new AtomicInteger();

    private final int slot = NEXT.getAndIncrement() & (TenantScope.CACHE_SLOTS - 1);

    private ScopeCache() {}

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
        TenantScope.CacheEntry[] entries = scope.cache;
        if (entries == null) {
            return null;
        }
        TenantScope.CacheEntry entry = entries[slot];
        return entry != null && entry.owner() == this ? (T) entry.value() : null;
    }

    /** Caches {@code value} for the current scope; nothing when nothing is bound. */
    public void put(T value) {
        TenantScope scope = TenantContext.currentScope();
        if (scope != null) {
            scope.cache(slot, new TenantScope.CacheEntry(this, value));
        }
    }
}
