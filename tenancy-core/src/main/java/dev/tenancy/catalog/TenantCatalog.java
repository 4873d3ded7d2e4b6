package dev.tenancy.catalog;

import dev.tenancy.Actor;
import dev.tenancy.IllegalTenantTransitionException;
import dev.tenancy.IsolationModel;
import dev.tenancy.Page;
import dev.tenancy.Tenant;
import dev.tenancy.TenantAlreadyExistsException;
import dev.tenancy.TenantId;
import dev.tenancy.TenantStatus;
import dev.tenancy.UnknownTenantException;
import dev.tenancy.audit.AuditLog;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tenants a platform serves: their records, lifecycle and custom domains.
 *
 * <p>Contract: every write that takes effect is recorded in the audit log exactly once, and a write
 * that fails changes nothing and records nothing. Status changes follow the transition table of
 * {@link TenantStatus}; ids are never reused.
 *
 * <p>Implementations: {@link #inMemory(AuditLog)}, {@link JdbcTenantCatalog} (PostgreSQL, H2), and
 * {@link #cached(TenantCatalog, Duration)} in front of either. Implementations are thread-safe.
 *
 * <pre>{@code
 * TenantCatalog catalog = TenantCatalog.cached(JdbcTenantCatalog.builder(dataSource).auditLog(audit).build(),
 *         Duration.ofMinutes(5));
 * catalog.register(TenantRegistration.builder(TenantId.of("acme"), "Acme Corp").build(), admin);
 * catalog.transition(TenantId.of("acme"), TenantStatus.ACTIVE, admin, "KYC passed");
 * }</pre>
 */
public interface TenantCatalog extends AutoCloseable {

    /** The tenant with this id, if registered. */
    Optional<Tenant> find(TenantId id);

    /**
     * The tenant with this id.
     *
     * @throws UnknownTenantException when it is not registered
     */
    default Tenant require(TenantId id) {
        return find(id).orElseThrow(() -> new UnknownTenantException(id.value()));
    }

    /** The tenant a <em>verified</em> custom domain belongs to; {@code host} is normalised first. */
    Optional<TenantId> findByDomain(String host);

    /** The custom domains of a tenant, verified or not, by name. */
    List<TenantDomain> domains(TenantId id);

    /** The tenants matching {@code query}, with the total count. */
    Page<Tenant> list(TenantQuery query);

    /**
     * How many tenants of {@code isolation} each server holds, not counting purged ones; servers
     * holding none are absent. Used to place new tenants on the least-loaded server.
     */
    Map<String, Long> countByServer(IsolationModel isolation);

    /**
     * Registers a new tenant.
     *
     * @throws TenantAlreadyExistsException when the id is taken
     */
    Tenant register(TenantRegistration registration, Actor actor);

    /**
     * Changes a tenant's editable fields.
     *
     * @throws UnknownTenantException when it is not registered
     */
    Tenant update(TenantId id, TenantUpdate update, Actor actor);

    /**
     * Moves a tenant to {@code target}, recording who did it and why.
     *
     * @throws IllegalTenantTransitionException when the table of {@link TenantStatus} forbids it
     * @throws UnknownTenantException when it is not registered
     * @throws IllegalArgumentException when {@code reason} is blank or longer than 1000 characters
     */
    Tenant transition(TenantId id, TenantStatus target, Actor actor, String reason);

    /**
     * Maps an unverified custom domain to a tenant. Use {@link CustomDomains}, which also holds it
     * to the platform's {@link DomainRules} and proves ownership through DNS.
     *
     * @throws TenantAlreadyExistsException when the domain is mapped already
     * @throws InvalidDomainException for an IP literal, {@code localhost} or a single label
     */
    TenantDomain addDomain(TenantId id, String domain, Actor actor);

    /** Marks a mapped domain verified, so that it resolves requests. */
    TenantDomain verifyDomain(String domain, Actor actor);

    /**
     * Marks a verified domain unverified again (its ownership is no longer proven), so that it stops
     * resolving requests; recorded with {@code reason}. When it was primary, the tenant's first other
     * verified domain (by name) becomes primary. Nothing happens to an unverified or unmapped domain.
     */
    void unverifyDomain(String domain, Actor actor, String reason);

    /**
     * Makes a verified domain its tenant's primary one (the one its links and emails use); the
     * previous primary domain stays mapped and verified. Nothing changes (and nothing is recorded)
     * when it is primary already.
     *
     * @throws UnknownTenantException when the domain is not mapped
     * @throws IllegalStateException when the domain is not verified yet
     */
    TenantDomain setPrimaryDomain(String domain, Actor actor);

    /** The tenant's primary domain: its first verified one unless another was made primary. */
    default Optional<TenantDomain> primaryDomain(TenantId id) {
        return domains(id).stream().filter(TenantDomain::primary).findFirst();
    }

    /**
     * Removes a mapped domain; does nothing (and records nothing) when it is not mapped. Removing
     * the primary domain makes the tenant's first other verified domain (by name) primary, recorded
     * as such; a tenant with no other verified domain is left without one.
     */
    void removeDomain(String domain, Actor actor);

    /**
     * Stops what the catalog runs in the background: a {@linkplain #cached cached} catalog over a
     * {@link JdbcTenantCatalog} on PostgreSQL listens for other nodes' changes on one connection
     * until closed. Does nothing for the others. (A {@link CatalogChangeNotifications#subscribe
     * subscription} is closed on its own.)
     */
    @Override
    default void close() {}

    /** A catalog in memory, auditing to {@code audit}. */
    static TenantCatalog inMemory(AuditLog audit) {
        return new InMemoryTenantCatalog(audit, InstantSource.system());
    }

    /** A catalog in memory, auditing to {@code audit} and timed by {@code clock}. */
    static TenantCatalog inMemory(AuditLog audit, InstantSource clock) {
        return new InMemoryTenantCatalog(audit, clock);
    }

    /**
     * A Caffeine cache in front of {@code delegate}: lookups by id and domain are answered from
     * memory for up to {@code ttl} (unknown ids too, so probing for tenants does not reach the
     * database, at most 10,000 of them, so probing cannot grow memory either); every change made through the returned catalog invalidates its entries at once.
     * Over a {@link JdbcTenantCatalog} on PostgreSQL, changes made through any other catalog on that
     * database (another node) are dropped as they commit, through LISTEN/NOTIFY on one dedicated
     * connection ({@link #close()} the returned catalog to release it); elsewhere they are seen
     * after at most {@code ttl}. The result is {@link CatalogChangeNotifications}: subscribers hear
     * of each change after the cache has dropped it.
     */
    static TenantCatalog cached(TenantCatalog delegate, Duration ttl) {
        return new CachingTenantCatalog(delegate, ttl, com.github.benmanes.caffeine.cache.Ticker.systemTicker());
    }
}
