package dev.tenancy.catalog;

import dev.tenancy.Actor;
import dev.tenancy.IllegalTenantTransitionException;
import dev.tenancy.Tenant;
import dev.tenancy.TenantStatus;
import dev.tenancy.audit.AuditEntry;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What every catalog implementation does the same way: new records, lifecycle checks and the audit
 * entries of each change, so the in-memory and JDBC catalogs cannot drift apart.
 */
final class CatalogChanges {
    static final String TENANT = "tenant";
    static final String DOMAIN = "domain";

    private CatalogChanges() {}

    /** Now, at the microsecond precision both PostgreSQL and H2 store, so records read back equal. */
    static Instant now(java.time.InstantSource clock) {
        return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    }

    static Tenant newTenant(TenantRegistration r, Instant now) {
        if (r.expiresAt() != null && !r.expiresAt().isAfter(now)) {
            throw new IllegalArgumentException("Tenant '" + r.id() + "' would expire at " + r.expiresAt()
                    + ", which is not after now (" + now + "): give an expiry in the future, or none");
        }
        return new Tenant(
                r.id(),
                r.displayName(),
                r.initialStatus(),
                null,
                r.tier(),
                r.isolation(),
                r.server(),
                r.ownerEmail(),
                r.attributes(),
                r.expiresAt(),
                now,
                now,
                1);
    }

    static String requireReason(String reason) {
        String trimmed = reason == null ? "" : reason.strip();
        if (trimmed.isEmpty() || trimmed.length() > 1000) {
            throw new IllegalArgumentException(
                    "A status change needs a reason of 1 to 1000 characters (it goes into the audit trail)");
        }
        return trimmed;
    }

    static Tenant transitioned(Tenant tenant, TenantStatus target, String reason, Instant now) {
        if (!tenant.status().canMoveTo(target)) {
            throw new IllegalTenantTransitionException(tenant.id(), tenant.status(), target);
        }
        if (target == TenantStatus.ACTIVE && tenant.isExpiredAt(now)) {
            throw new IllegalStateException("Tenant '" + tenant.id() + "' expired at " + tenant.expiresAt()
                    + "; extend its expiry or remove it (TenantUpdate expiresAt or neverExpires) before activating it");
        }
        return new Tenant(
                tenant.id(),
                tenant.displayName(),
                target,
                reason,
                tenant.tier(),
                tenant.isolation(),
                tenant.server(),
                tenant.ownerEmail(),
                tenant.attributes(),
                tenant.expiresAt(),
                tenant.createdAt(),
                now,
                tenant.version() + 1);
    }

    static AuditEntry registered(Tenant t, Actor actor) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("displayName", t.displayName());
        m.put("status", t.status().key());
        m.put("tier", t.tier());
        m.put("isolation", t.isolation().key());
        m.put("server", t.server());
        m.put("ownerEmail", t.ownerEmail());
        if (!t.attributes().isEmpty()) {
            m.put("attributes", t.attributes());
        }
        if (t.expiresAt() != null) {
            m.put("expiresAt", t.expiresAt().toString());
        }
        return AuditEntry.of("create", TENANT, t.id().value(), t.id(), actor, m);
    }

    static AuditEntry updated(Tenant before, Tenant after, Actor actor) {
        Map<String, Object> changes = new LinkedHashMap<>();
        diff(changes, "displayName", before.displayName(), after.displayName());
        diff(changes, "tier", before.tier(), after.tier());
        diff(changes, "ownerEmail", before.ownerEmail(), after.ownerEmail());
        diff(changes, "attributes", before.attributes(), after.attributes());
        diff(changes, "isolation", before.isolation().key(), after.isolation().key());
        diff(changes, "server", before.server(), after.server());
        diff(changes, "expiresAt", instant(before.expiresAt()), instant(after.expiresAt()));
        return AuditEntry.of("update", TENANT, after.id().value(), after.id(), actor, Map.of("changes", changes));
    }

    static AuditEntry transitioned(Tenant before, Tenant after, Actor actor) {
        return AuditEntry.of(
                "transition",
                TENANT,
                after.id().value(),
                after.id(),
                actor,
                Map.of("from", before.status().key(), "to", after.status().key(), "reason", after.statusReason()));
    }

    static AuditEntry domainAdded(TenantDomain d, Actor actor) {
        return AuditEntry.of("create", DOMAIN, d.domain(), d.tenantId(), actor, Map.of("verified", d.verified()));
    }

    static AuditEntry domainVerified(TenantDomain d, Actor actor) {
        return AuditEntry.of("verify", DOMAIN, d.domain(), d.tenantId(), actor, Map.of());
    }

    static void requireVerified(TenantDomain d) {
        if (!d.verified()) {
            throw new IllegalStateException("Domain '" + d.domain() + "' of tenant '" + d.tenantId()
                    + "' is not verified yet: verify it (verifyDomain) before making it primary");
        }
    }

    static AuditEntry domainPrimary(TenantDomain d, String previous, Actor actor) {
        Map<String, Object> metadata = new java.util.LinkedHashMap<>();
        metadata.put("previous", previous);
        return AuditEntry.of("make-primary", DOMAIN, d.domain(), d.tenantId(), actor, metadata);
    }

    static AuditEntry domainUnverified(TenantDomain d, Actor actor, String reason) {
        return AuditEntry.of(
                "unverify", DOMAIN, d.domain(), d.tenantId(), actor, Map.of("reason", String.valueOf(reason)));
    }

    static AuditEntry domainRemoved(TenantDomain d, Actor actor) {
        return AuditEntry.of("delete", DOMAIN, d.domain(), d.tenantId(), actor, Map.of("verified", d.verified()));
    }

    private static String instant(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static void diff(Map<String, Object> changes, String field, Object before, Object after) {
        if (!Objects.equals(before, after)) {
            Map<String, Object> change = new LinkedHashMap<>();
            change.put("from", before);
            change.put("to", after);
            changes.put(field, change);
        }
    }
}
