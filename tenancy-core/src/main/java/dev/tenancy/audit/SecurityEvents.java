package dev.tenancy.audit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Security events in the audit log: what the admin manual's security read access ({@code
 * audit.security_events.read}) and its cross-tenant data leak runbook look for. Tenancy records
 * them where it refuses something, when given this recorder:
 *
 * <ul>
 *   <li>{@value #CROSS_TENANT_REQUEST}: a request authenticated as one tenant named another ({@link
 *       dev.tenancy.resolve.TenantAdmission.Builder#securityEvents}); recorded for the tenant named,
 *       whose data was asked for, with the caller's tenant, the resolver and the path.
 *   <li>{@value #ACCESS_DENIED}: the database refused a tenant's session (SQLSTATE 42501:
 *       row-level security, a schema closed to other tenants, a TRUNCATE of a shared table),
 *       through {@link dev.tenancy.jdbc.TenantDataSource.Builder#securityEvents}; recorded for the
 *       bound tenant with the database's message.
 * </ul>
 *
 * <p>The same event (kind, tenants, detail) is recorded once per {@linkplain Builder#window window}
 * (1 minute by default) and counted in {@link #suppressed()} after that, so a loop or an attacker
 * cannot flood the log. Recording never throws into the refused work: a failure to append is
 * logged.
 *
 * <pre>{@code
 * SecurityEvents security = SecurityEvents.builder(audit).build();
 * TenantAdmission.builder().catalog(catalog).resolvers(...).authenticatedClaim("tenant_id").securityEvents(security)...
 * TenantDataSource.builder().catalog(catalog).server(...).securityEvents(security)...
 * audit.query(AuditQuery.builder().entityType(SecurityEvents.ENTITY_TYPE).build());
 * }</pre>
 */
public final class SecurityEvents {
    private static final Logger LOG = LoggerFactory.getLogger(SecurityEvents.class);

    /** The audit log's entity type of security events. */
    public static final String ENTITY_TYPE = "security_event";

    /** A request authenticated as one tenant named another. */
    public static final String CROSS_TENANT_REQUEST = "security.cross_tenant_request";

    /** The database refused a tenant's session access (SQLSTATE 42501). */
    public static final String ACCESS_DENIED = "security.access_denied";

    private final AuditLog audit;
    private final InstantSource clock;
    private final Duration window;
    private final Cache<Key, Instant> recent;
    private final LongAdder suppressed = new LongAdder();

    private record Key(String action, TenantId tenant, String detail) {}

    private SecurityEvents(Builder b) {
        this.audit = b.audit;
        this.clock = b.clock;
        this.window = b.window;
        this.recent = Caffeine.newBuilder().maximumSize(10_000).build();
    }

    /** Builds a recorder into {@code audit}. */
    public static Builder builder(AuditLog audit) {
        return new Builder(audit);
    }

    /**
     * A request authenticated as {@code principal} named {@code named} (by {@code resolver}), and
     * was refused.
     */
    public void crossTenantRequest(TenantId principal, TenantId named, String resolver, String path) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("principalTenant", principal.value());
        metadata.put("requestedTenant", named.value());
        metadata.put("resolver", resolver);
        if (path != null) {
            metadata.put("path", path.length() > 300 ? path.substring(0, 300) : path);
        }
        record(CROSS_TENANT_REQUEST, named, principal.value(), named.value(), principal, metadata);
    }

    /** The database refused a session bound to {@code bound} with SQLSTATE {@code sqlState} and {@code message}. */
    public void accessDenied(TenantId bound, String sqlState, String message) {
        String text = message == null ? "" : message.length() > 500 ? message.substring(0, 500) : message;
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("sqlState", sqlState);
        metadata.put("message", text);
        record(ACCESS_DENIED, bound, text, "database", bound, metadata);
    }

    /** How many events were not recorded because the same one was recorded within the window. */
    public long suppressed() {
        return suppressed.sum();
    }

    private void record(
            String action,
            TenantId tenant,
            String detail,
            String entityId,
            TenantId actorTenant,
            Map<String, Object> metadata) {
        Instant now = clock.instant();
        AtomicBoolean fresh = new AtomicBoolean();
        recent.asMap().compute(new Key(action, tenant, detail), (k, last) -> {
            if (last != null && now.isBefore(last.plus(window))) {
                return last;
            }
            fresh.set(true);
            return now;
        });
        if (!fresh.get()) {
            suppressed.increment();
            return;
        }
        try {
            audit.append(AuditEntry.of(
                    action,
                    ENTITY_TYPE,
                    entityId,
                    tenant,
                    new Actor("tenant:" + actorTenant.value(), "tenant_session"),
                    metadata));
        } catch (RuntimeException e) {
            LOG.warn("Could not record security event {} for tenant '{}': {}", action, tenant, e.toString());
        }
    }

    /** Builds {@link SecurityEvents}. */
    public static final class Builder {
        private final AuditLog audit;
        private InstantSource clock = InstantSource.system();
        private Duration window = Duration.ofMinutes(1);

        private Builder(AuditLog audit) {
            this.audit = Objects.requireNonNull(audit, "audit");
        }

        /** How long the same event is recorded only once (default 1 minute). */
        public Builder window(Duration window) {
            if (window == null || window.isNegative()) {
                throw new IllegalArgumentException("The security event window must be zero or positive, was " + window);
            }
            this.window = window;
            return this;
        }

        /** The clock windows are timed by; the system clock by default. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public SecurityEvents build() {
            return new SecurityEvents(this);
        }
    }
}
