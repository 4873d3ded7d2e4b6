package dev.tenancy.catalog;

import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.Page;
import dev.tenancy.Tenant;
import dev.tenancy.TenantAlreadyExistsException;
import dev.tenancy.TenantId;
import dev.tenancy.TenantStatus;
import dev.tenancy.UnknownTenantException;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.internal.Hosts;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A {@link TenantCatalog} in maps guarded by its monitor. The audit event is appended before the
 * change is applied, so a failing audit log leaves the catalog unchanged.
 */
final class InMemoryTenantCatalog implements TenantCatalog, CatalogChangeNotifications {
    private final AuditLog audit;
    private final CatalogSubscribers subscribers = new CatalogSubscribers();
    private final InstantSource clock;
    private final Map<TenantId, Tenant> tenants = new HashMap<>();
    private final Map<String, TenantDomain> domains = new TreeMap<>();

    InMemoryTenantCatalog(AuditLog audit, InstantSource clock) {
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public synchronized Optional<Tenant> find(TenantId id) {
        return Optional.ofNullable(tenants.get(Objects.requireNonNull(id, "id")));
    }

    @Override
    public synchronized Optional<TenantId> findByDomain(String host) {
        String normalized = Hosts.normalize(host);
        TenantDomain domain = normalized == null ? null : domains.get(normalized);
        return domain != null && domain.verified() ? Optional.of(domain.tenantId()) : Optional.empty();
    }

    @Override
    public synchronized List<TenantDomain> domains(TenantId id) {
        return domains.values().stream().filter(d -> d.tenantId().equals(id)).toList();
    }

    @Override
    public synchronized Page<Tenant> list(TenantQuery q) {
        Comparator<Tenant> order = switch (q.sort()) {
            case NAME -> Comparator.comparing((Tenant t) -> t.displayName().toLowerCase(Locale.ROOT));
            case CREATED -> Comparator.comparing(Tenant::createdAt);
        };
        order = q.descending()
                ? order.reversed().thenComparing(Tenant::id, Comparator.reverseOrder())
                : order.thenComparing(Tenant::id);
        List<Tenant> matching = tenants.values().stream()
                .filter(t -> matches(q, t))
                .sorted(order)
                .toList();
        int from = Math.min(q.offset(), matching.size());
        int to = Math.min(from + q.limit(), matching.size());
        return new Page<>(matching.subList(from, to), matching.size(), q.offset(), q.limit());
    }

    @Override
    public synchronized Map<String, Long> countByServer(IsolationModel isolation) {
        Objects.requireNonNull(isolation, "isolation");
        Map<String, Long> counts = new TreeMap<>();
        for (Tenant t : tenants.values()) {
            if (t.isolation() == isolation && t.status() != TenantStatus.PURGED) {
                counts.merge(t.server(), 1L, Long::sum);
            }
        }
        return counts;
    }

    private static boolean matches(TenantQuery q, Tenant t) {
        if (q.search() != null) {
            String needle = q.search().toLowerCase(Locale.ROOT);
            boolean hit = t.id().value().contains(needle)
                    || t.displayName().toLowerCase(Locale.ROOT).contains(needle)
                    || (t.ownerEmail() != null
                            && t.ownerEmail().toLowerCase(Locale.ROOT).contains(needle));
            if (!hit) {
                return false;
            }
        }
        return (q.statuses().isEmpty() || q.statuses().contains(t.status()))
                && (q.tiers().isEmpty() || q.tiers().contains(t.tier()))
                && (q.createdFrom() == null || !t.createdAt().isBefore(q.createdFrom()))
                && (q.createdTo() == null || t.createdAt().isBefore(q.createdTo()))
                && (q.expiringBefore() == null
                        || (t.expiresAt() != null && t.expiresAt().isBefore(q.expiringBefore())));
    }

    @Override
    public synchronized Tenant register(TenantRegistration registration, Actor actor) {
        Objects.requireNonNull(registration, "registration");
        Objects.requireNonNull(actor, "actor");
        if (tenants.containsKey(registration.id())) {
            throw new TenantAlreadyExistsException("Tenant", registration.id().value());
        }
        Tenant tenant = CatalogChanges.newTenant(registration, CatalogChanges.now(clock));
        audit.append(CatalogChanges.registered(tenant, actor));
        tenants.put(tenant.id(), tenant);
        subscribers.changed(tenant.id());
        return tenant;
    }

    @Override
    public synchronized Tenant update(TenantId id, TenantUpdate update, Actor actor) {
        Objects.requireNonNull(update, "update");
        Objects.requireNonNull(actor, "actor");
        Tenant before = require(id);
        Tenant after = update.applyTo(before, CatalogChanges.now(clock));
        audit.append(CatalogChanges.updated(before, after, actor));
        tenants.put(id, after);
        subscribers.changed(id);
        return after;
    }

    @Override
    public synchronized Tenant transition(TenantId id, TenantStatus target, Actor actor, String reason) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(actor, "actor");
        String why = CatalogChanges.requireReason(reason);
        Tenant before = require(id);
        Tenant after = CatalogChanges.transitioned(before, target, why, CatalogChanges.now(clock));
        audit.append(CatalogChanges.transitioned(before, after, actor));
        tenants.put(id, after);
        subscribers.changed(id);
        return after;
    }

    @Override
    public synchronized TenantDomain addDomain(TenantId id, String domain, Actor actor) {
        Objects.requireNonNull(actor, "actor");
        TenantDomain added = new TenantDomain(
                DomainRules.basic().requireClaimable(domain), id, false, false, CatalogChanges.now(clock));
        require(id);
        if (domains.containsKey(added.domain())) {
            throw new TenantAlreadyExistsException("Domain", added.domain());
        }
        audit.append(CatalogChanges.domainAdded(added, actor));
        domains.put(added.domain(), added);
        subscribers.changed(id);
        return added;
    }

    @Override
    public synchronized TenantDomain verifyDomain(String domain, Actor actor) {
        Objects.requireNonNull(actor, "actor");
        String host = Hosts.requireHost(domain);
        TenantDomain existing = domains.get(host);
        if (existing == null) {
            throw new UnknownTenantException(host);
        }
        if (existing.verified()) {
            return existing;
        }
        boolean first =
                domains.values().stream().noneMatch(d -> d.tenantId().equals(existing.tenantId()) && d.primary());
        TenantDomain verified = new TenantDomain(host, existing.tenantId(), true, first, existing.createdAt());
        audit.append(CatalogChanges.domainVerified(verified, actor));
        if (first) {
            audit.append(CatalogChanges.domainPrimary(verified, null, actor));
        }
        domains.put(host, verified);
        subscribers.changed(verified.tenantId());
        return verified;
    }

    @Override
    public synchronized TenantDomain setPrimaryDomain(String domain, Actor actor) {
        Objects.requireNonNull(actor, "actor");
        String host = Hosts.requireHost(domain);
        TenantDomain existing = domains.get(host);
        if (existing == null) {
            throw new UnknownTenantException(host);
        }
        CatalogChanges.requireVerified(existing);
        if (existing.primary()) {
            return existing;
        }
        TenantDomain previous = domains.values().stream()
                .filter(d -> d.tenantId().equals(existing.tenantId()) && d.primary())
                .findFirst()
                .orElse(null);
        TenantDomain primary = existing.withPrimary(true);
        audit.append(CatalogChanges.domainPrimary(primary, previous == null ? null : previous.domain(), actor));
        if (previous != null) {
            domains.put(previous.domain(), previous.withPrimary(false));
        }
        domains.put(host, primary);
        subscribers.changed(existing.tenantId());
        return primary;
    }

    @Override
    public synchronized void unverifyDomain(String domain, Actor actor, String reason) {
        Objects.requireNonNull(actor, "actor");
        String host = Hosts.requireHost(domain);
        TenantDomain existing = domains.get(host);
        if (existing == null || !existing.verified()) {
            return;
        }
        TenantDomain now = new TenantDomain(host, existing.tenantId(), false, false, existing.createdAt());
        audit.append(CatalogChanges.domainUnverified(now, actor, reason));
        domains.put(host, now);
        if (existing.primary()) {
            domains.values().stream()
                    .filter(d -> d.tenantId().equals(existing.tenantId()) && d.verified())
                    .findFirst()
                    .ifPresent(next -> {
                        audit.append(CatalogChanges.domainPrimary(next.withPrimary(true), host, actor));
                        domains.put(next.domain(), next.withPrimary(true));
                    });
        }
        subscribers.changed(existing.tenantId());
    }

    @Override
    public synchronized void removeDomain(String domain, Actor actor) {
        Objects.requireNonNull(actor, "actor");
        String host = Hosts.requireHost(domain);
        TenantDomain existing = domains.get(host);
        if (existing != null) {
            TenantDomain next = !existing.primary()
                    ? null
                    : domains.values().stream()
                            .filter(d -> d.tenantId().equals(existing.tenantId()) && d.verified() && d != existing)
                            .findFirst()
                            .map(d -> d.withPrimary(true))
                            .orElse(null);
            audit.append(CatalogChanges.domainRemoved(existing, actor));
            if (next != null) {
                audit.append(CatalogChanges.domainPrimary(next, host, actor));
                domains.put(next.domain(), next);
            }
            domains.remove(host);
            subscribers.changed(existing.tenantId());
        }
    }

    @Override
    public AutoCloseable subscribe(Consumer<TenantId> onChange) {
        return subscribers.add(onChange);
    }
}
