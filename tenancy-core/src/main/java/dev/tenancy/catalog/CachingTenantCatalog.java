package dev.tenancy.catalog;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.Page;
import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.TenantStatus;
import dev.tenancy.internal.Hosts;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Answers lookups by id and by domain from Caffeine caches that expire after a TTL; every write
 * through this catalog invalidates what it changed before returning. It subscribes to the
 * delegate's {@link CatalogChangeNotifications} and drops what they name (over a {@link
 * JdbcTenantCatalog} on PostgreSQL, changes committed on other nodes too, so the TTL is only the
 * safety net), then passes them on to its own subscribers. Listings always go to the delegate (an
 * admin console wants the truth, and they are not on the request path).
 */
final class CachingTenantCatalog implements TenantCatalog, CatalogChangeNotifications {
    private final TenantCatalog delegate;
    private final Cache<TenantId, Optional<Tenant>> byId;
    private final Cache<String, Optional<TenantId>> byDomain;
    private final Function<TenantId, Optional<Tenant>> loadById;
    private final Function<String, Optional<TenantId>> loadByDomain;
    private final AutoCloseable listening;
    private final boolean delegateNotifies;
    private final CatalogSubscribers subscribers = new CatalogSubscribers();

    private static final long MAXIMUM_WEIGHT = 1_000_000;
    private static final int MISS_WEIGHT = 100;

    CachingTenantCatalog(TenantCatalog delegate, Duration ttl, Ticker ticker) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("Catalog cache TTL must be positive, was " + ttl);
        }
        // A miss weighs 100 hits: a flood of unknown ids or hosts keeps at most 10,000 of them, and
        // (Caffeine admits by frequency) does not push out the tenants actually served.
        this.byId = Caffeine.newBuilder()
                .expireAfterWrite(ttl)
                .maximumWeight(MAXIMUM_WEIGHT)
                .weigher((TenantId id, Optional<Tenant> found) -> found.isPresent() ? 1 : MISS_WEIGHT)
                .ticker(ticker)
                .build();
        this.byDomain = Caffeine.newBuilder()
                .expireAfterWrite(ttl)
                .maximumWeight(MAXIMUM_WEIGHT)
                .weigher((String host, Optional<TenantId> found) -> found.isPresent() ? 1 : MISS_WEIGHT)
                .ticker(ticker)
                .build();
        this.loadById = delegate::find;
        this.loadByDomain = delegate::findByDomain;
        this.delegateNotifies = delegate instanceof CatalogChangeNotifications;
        this.listening = delegate instanceof CatalogChangeNotifications notifications
                ? notifications.subscribe(this::changed)
                : () -> {};
    }

    /**
     * A change the delegate reports (on PostgreSQL, committed on any node): drop that tenant and the
     * domains (few, and cheap to reload), then tell this catalog's subscribers.
     */
    private void changed(TenantId id) {
        if (id == null) {
            invalidateAll();
        } else {
            byId.invalidate(id);
            byDomain.invalidateAll();
        }
        subscribers.changed(id);
    }

    @Override
    public AutoCloseable subscribe(Consumer<TenantId> onChange) {
        return subscribers.add(onChange);
    }

    /** Stops listening for other nodes' changes. */
    @Override
    public void close() {
        try {
            listening.close();
        } catch (Exception e) {
            throw new IllegalStateException("Could not stop listening for catalog changes", e);
        }
    }

    @Override
    public Optional<Tenant> find(TenantId id) {
        return byId.get(Objects.requireNonNull(id, "id"), loadById);
    }

    @Override
    public Optional<TenantId> findByDomain(String host) {
        String normalized = Hosts.normalize(host);
        return normalized == null ? Optional.empty() : byDomain.get(normalized, loadByDomain);
    }

    @Override
    public List<TenantDomain> domains(TenantId id) {
        return delegate.domains(id);
    }

    @Override
    public Page<Tenant> list(TenantQuery query) {
        return delegate.list(query);
    }

    @Override
    public Map<String, Long> countByServer(IsolationModel isolation) {
        return delegate.countByServer(isolation);
    }

    @Override
    public Tenant register(TenantRegistration registration, Actor actor) {
        Tenant tenant;
        try {
            tenant = delegate.register(registration, actor);
        } finally {
            byId.invalidate(registration.id());
        }
        return announce(tenant.id(), tenant);
    }

    @Override
    public Tenant update(TenantId id, TenantUpdate update, Actor actor) {
        Tenant tenant;
        try {
            tenant = delegate.update(id, update, actor);
        } finally {
            byId.invalidate(id);
        }
        return announce(id, tenant);
    }

    @Override
    public Tenant transition(TenantId id, TenantStatus target, Actor actor, String reason) {
        Tenant tenant;
        try {
            tenant = delegate.transition(id, target, actor, reason);
        } finally {
            byId.invalidate(id);
        }
        return announce(id, tenant);
    }

    @Override
    public TenantDomain addDomain(TenantId id, String domain, Actor actor) {
        TenantDomain added;
        try {
            added = delegate.addDomain(id, domain, actor);
        } finally {
            invalidateDomain(domain);
        }
        return announce(id, added);
    }

    @Override
    public TenantDomain verifyDomain(String domain, Actor actor) {
        TenantDomain verified;
        try {
            verified = delegate.verifyDomain(domain, actor);
        } finally {
            invalidateDomain(domain);
        }
        return announce(verified.tenantId(), verified);
    }

    @Override
    public void unverifyDomain(String domain, Actor actor, String reason) {
        try {
            delegate.unverifyDomain(domain, actor, reason);
        } finally {
            invalidateDomain(domain);
        }
        announce(null, null);
    }

    @Override
    public TenantDomain setPrimaryDomain(String domain, Actor actor) {
        TenantDomain primary;
        try {
            primary = delegate.setPrimaryDomain(domain, actor);
        } finally {
            invalidateDomain(domain);
        }
        return announce(primary.tenantId(), primary);
    }

    @Override
    public void removeDomain(String domain, Actor actor) {
        try {
            delegate.removeDomain(domain, actor);
        } finally {
            invalidateDomain(domain);
        }
        announce(null, null); // whose domain it was is gone with it
    }

    /**
     * {@code result}, after telling the subscribers that {@code id} changed when the delegate does
     * not tell them itself (through {@link #changed}).
     */
    private <T> T announce(TenantId id, T result) {
        if (!delegateNotifies) {
            subscribers.changed(id);
        }
        return result;
    }

    /** Drops every cached entry, for example after a change made on another node. */
    void invalidateAll() {
        byId.invalidateAll();
        byDomain.invalidateAll();
    }

    private void invalidateDomain(String domain) {
        String normalized = Hosts.normalize(domain);
        if (normalized != null) {
            byDomain.invalidate(normalized);
        }
    }
}
