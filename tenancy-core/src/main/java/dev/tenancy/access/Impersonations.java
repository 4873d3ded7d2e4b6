package dev.tenancy.access;

import dev.tenancy.Actor;
import dev.tenancy.StorageException;
import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.TenantNotActiveException;
import dev.tenancy.UnknownTenantException;
import dev.tenancy.audit.AuditEntry;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.context.TenantContext;
import dev.tenancy.context.TenantScope;
import dev.tenancy.internal.ControlPlaneSchema;
import dev.tenancy.internal.Jdbc;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Audited impersonation: a platform admin acts as one of a tenant's users to debug or support, as
 * the admin manual's chapter on impersonation describes.
 *
 * <ul>
 *   <li>{@link #start} needs {@link Permission#IMPERSONATION_START} (and, for write mode, {@link
 *       Permission#IMPERSONATION_WRITE_ENABLE}), a reason and the tenant's consent, and a tenant
 *       that is active (or archived, read-only). A refused attempt is audited too.
 *   <li>{@link #scope} gives, per request, the scope to serve the session in: the tenant, {@linkplain
 *       TenantScope#readOnly() read-only} unless in write mode, and only while the session is
 *       open, unexpired and used by the admin who started it.
 *   <li>{@link #record} audits what the admin did in the session, with its payload; {@link #end}
 *       ends it. One admin has at most one open session.
 * </ul>
 *
 * <p>Every event (started, refused, action, ended) is appended to the audit log with the tenant's
 * id, so the tenant's own audit view shows it, and the admin's id and role as the actor. With a
 * data source, sessions live in the platform database ({@code tenancy.tenancy_impersonations}, installed
 * like the catalog's tables) and each change commits with its audit event; without, in memory.
 *
 * <pre>{@code
 * Impersonations impersonations = Impersonations.builder()
 *         .catalog(catalog).auditLog(audit).policy(AccessPolicy.platformDefaults())
 *         .dataSource(platformDataSource)
 *         .build();
 * Impersonation session = impersonations.start(request);
 * impersonations.scope(session.id(), admin).run(() -> serve(httpRequest));   // per request
 * impersonations.end(session.id(), admin);
 * }</pre>
 */
public final class Impersonations {
    /** The audit log's entity type of impersonation events. */
    public static final String ENTITY_TYPE = "impersonation";

    /** The actor that records a session as ended at its expiry. */
    public static final Actor EXPIRY = Actor.system("impersonation-expiry");

    private final TenantCatalog catalog;
    private final AuditLog audit;
    private final AccessPolicy policy;
    private final InstantSource clock;
    private final Duration maxDuration;
    private final ImpersonationStore store;

    private Impersonations(Builder b) {
        this.catalog = b.catalog;
        this.audit = b.audit;
        this.policy = b.policy;
        this.clock = b.clock;
        this.maxDuration = b.maxDuration;
        if (b.dataSource == null) {
            this.store = new InMemoryImpersonationStore(b.audit);
        } else {
            if (b.installSchema) {
                ControlPlaneSchema.install(b.dataSource);
            }
            this.store = new JdbcImpersonationStore(b.dataSource, b.audit);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts a session for {@code request}.
     *
     * @throws AccessDeniedException when the admin lacks a permission (the attempt is audited)
     * @throws UnknownTenantException when the tenant is not in the catalog
     * @throws TenantNotActiveException when the tenant is not active (or archived and write mode was asked)
     * @throws ImpersonationInProgressException when the admin has a session open
     * @throws IllegalArgumentException when the duration exceeds the configured maximum
     */
    public Impersonation start(ImpersonationRequest request) {
        Objects.requireNonNull(request, "request");
        Actor admin = request.impersonator();
        requireOrAudit(request, Permission.IMPERSONATION_START);
        if (request.mode() == ImpersonationMode.WRITE) {
            requireOrAudit(request, Permission.IMPERSONATION_WRITE_ENABLE);
        }
        if (request.duration().compareTo(maxDuration) > 0) {
            throw new IllegalArgumentException("An impersonation of " + request.duration() + " exceeds the maximum of "
                    + maxDuration + ": ask for a shorter one, or raise Impersonations.Builder.maxDuration");
        }
        Tenant tenant = catalog.find(request.tenant())
                .orElseThrow(() -> new UnknownTenantException(request.tenant().value()));
        dev.tenancy.TenantOperation operation = request.mode() == ImpersonationMode.READ_ONLY
                ? dev.tenancy.TenantOperation.IMPERSONATE_READ_ONLY
                : dev.tenancy.TenantOperation.IMPERSONATE;
        if (!operation.allowedIn(tenant.status())) {
            throw new TenantNotActiveException(tenant.id(), tenant.status(), tenant.statusReason());
        }
        Instant now = now();
        Impersonation session = new Impersonation(
                UUID.randomUUID().toString(),
                admin,
                tenant.id(),
                request.user(),
                request.userRole(),
                request.mode(),
                request.reason(),
                request.consentSource(),
                request.consentReference(),
                now,
                now.plus(request.duration()),
                null,
                null);
        try {
            return store.atomically("start impersonation of " + request.user() + " in '" + tenant.id() + "'", x -> {
                Optional<Impersonation> open = x.openOf(admin.id());
                if (open.isPresent()) {
                    if (open.get().activeAt(now)) {
                        throw new ImpersonationInProgressException(open.get());
                    }
                    closeExpired(x, open.get());
                }
                x.insert(session);
                x.audit(event("impersonation.started", session, admin, started(session)));
                return session;
            });
        } catch (StorageException e) {
            if (Jdbc.isUniqueViolation(e)) { // another start by the same admin committed first
                Optional<Impersonation> other = store.open().stream()
                        .filter(s -> s.impersonator().id().equals(admin.id()))
                        .findFirst();
                if (other.isPresent()) {
                    throw new ImpersonationInProgressException(other.get());
                }
            }
            throw e;
        }
    }

    /**
     * The scope to serve one request of the session in: {@code admin}'s session's tenant, read-only
     * unless in write mode. Ask for it per request rather than keeping it: it is checked here only.
     *
     * @throws ImpersonationNotActiveException when the session is unknown, ended, expired, or not {@code admin}'s
     */
    public TenantScope scope(String impersonation, Actor admin) {
        Impersonation session = usable(impersonation, admin);
        TenantScope scope = TenantContext.where(session.tenant());
        return session.readOnly() ? scope.readOnly() : scope;
    }

    /**
     * Audits {@code action}, done by {@code admin} in the session, with its {@code payload} (what the
     * action changed or looked at; anything Jackson writes).
     *
     * @throws ImpersonationNotActiveException when the session is unknown, ended, expired, or not {@code admin}'s
     */
    public void record(String impersonation, Actor admin, String action, Map<String, ?> payload) {
        Objects.requireNonNull(action, "action");
        if (action.isBlank() || action.length() > 200) {
            throw new IllegalArgumentException(
                    "An impersonation's recorded action must be 1 to 200 characters, was '" + action + "'");
        }
        Impersonation session = usable(impersonation, admin);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("action", action);
        metadata.put("user", session.user());
        metadata.put("userRole", session.userRole());
        metadata.put("mode", session.mode().key());
        metadata.put("payload", payload == null ? Map.of() : payload);
        audit.append(event("impersonation.action", session, admin, metadata));
    }

    /**
     * Ends the session, by its admin or by any admin who may start sessions (a colleague closing a
     * forgotten one). Ending an ended session changes nothing and records nothing; ending an expired
     * one records it as ended at its expiry.
     *
     * @throws ImpersonationNotActiveException when the session is unknown
     * @throws AccessDeniedException when {@code admin} is neither its admin nor may start sessions
     */
    public Impersonation end(String impersonation, Actor admin) {
        Objects.requireNonNull(admin, "admin");
        return store.atomically("end impersonation " + impersonation, x -> {
            Impersonation session = x.lock(impersonation)
                    .orElseThrow(() -> new ImpersonationNotActiveException(impersonation, "no such session"));
            if (session.endedAt() != null) {
                return session;
            }
            if (!session.impersonator().id().equals(admin.id())) {
                policy.require(admin, Permission.IMPERSONATION_START);
            }
            Instant now = now();
            if (!now.isBefore(session.expiresAt())) {
                return closeExpired(x, session);
            }
            Impersonation ended = session.endedAt(now, admin.id());
            x.end(ended);
            x.audit(event("impersonation.ended", ended, admin, endedMetadata(ended, false)));
            return ended;
        });
    }

    /**
     * Records every expired session that was not ended as ended at its expiry (for a scheduled job;
     * {@link #start} also does it for the admin who starts). Returns how many it closed.
     */
    public int closeExpired() {
        Instant now = now();
        return store.atomically("close expired impersonations", x -> {
            List<Impersonation> expired = x.expiredBy(now);
            for (Impersonation session : expired) {
                closeExpired(x, session);
            }
            return expired.size();
        });
    }

    /** The session, ended or not. */
    public Optional<Impersonation> find(String impersonation) {
        return store.find(Objects.requireNonNull(impersonation, "impersonation"));
    }

    /** The sessions open now (not ended, not expired), oldest first: who is impersonating whom. */
    public List<Impersonation> active() {
        Instant now = now();
        return store.open().stream().filter(s -> s.activeAt(now)).toList();
    }

    /** The tenant's sessions, newest first, at most {@code limit} (1 to 1,000). */
    public List<Impersonation> ofTenant(TenantId tenant, int limit) {
        Objects.requireNonNull(tenant, "tenant");
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be 1 to 1000, was " + limit);
        }
        return store.ofTenant(tenant, limit);
    }

    /** Times are kept at millisecond precision, as the audit log keeps them, so what is stored is what was returned. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private void requireOrAudit(ImpersonationRequest request, Permission permission) {
        if (!policy.allows(request.impersonator(), permission)) {
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("user", request.user());
            metadata.put("mode", request.mode().key());
            metadata.put("missingPermission", permission.name());
            metadata.put("reason", request.reason());
            audit.append(AuditEntry.of(
                    "impersonation.denied",
                    ENTITY_TYPE,
                    request.tenant().value(),
                    request.tenant(),
                    request.impersonator(),
                    metadata));
            throw new AccessDeniedException(request.impersonator(), permission);
        }
    }

    private Impersonation usable(String impersonation, Actor admin) {
        Objects.requireNonNull(impersonation, "impersonation");
        Objects.requireNonNull(admin, "admin");
        Impersonation session = store.find(impersonation)
                .orElseThrow(() -> new ImpersonationNotActiveException(impersonation, "no such session"));
        if (!session.impersonator().id().equals(admin.id())) {
            throw new ImpersonationNotActiveException(
                    impersonation,
                    "it was started by '" + session.impersonator().id() + "', not '" + admin.id()
                            + "'; only its admin may use it");
        }
        if (session.endedAt() != null) {
            throw new ImpersonationNotActiveException(
                    impersonation, "it ended at " + session.endedAt() + "; start a new session");
        }
        if (!clock.instant().isBefore(session.expiresAt())) {
            throw new ImpersonationNotActiveException(
                    impersonation, "it expired at " + session.expiresAt() + "; start a new session");
        }
        return session;
    }

    private static Impersonation closeExpired(ImpersonationStore.Changes x, Impersonation session)
            throws java.sql.SQLException {
        Impersonation ended = session.endedAt(session.expiresAt(), EXPIRY.id());
        x.end(ended);
        x.audit(event("impersonation.ended", ended, EXPIRY, endedMetadata(ended, true)));
        return ended;
    }

    private static Map<String, Object> started(Impersonation s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", s.user());
        m.put("userRole", s.userRole());
        m.put("mode", s.mode().key());
        m.put("reason", s.reason());
        m.put("consentSource", s.consentSource().key());
        m.put("consentReference", s.consentReference());
        m.put("expiresAt", s.expiresAt().toString());
        return m;
    }

    private static Map<String, Object> endedMetadata(Impersonation s, boolean expired) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", s.user());
        m.put("mode", s.mode().key());
        m.put("impersonator", s.impersonator().id());
        m.put("startedAt", s.startedAt().toString());
        m.put("durationSeconds", Duration.between(s.startedAt(), s.endedAt()).toSeconds());
        m.put("expired", expired);
        return m;
    }

    private static AuditEntry event(String action, Impersonation s, Actor actor, Map<String, Object> metadata) {
        return AuditEntry.of(action, ENTITY_TYPE, s.id(), s.tenant(), actor, metadata);
    }

    /** Builds {@link Impersonations}: a catalog, an audit log and a policy are required. */
    public static final class Builder {
        private TenantCatalog catalog;
        private AuditLog audit;
        private AccessPolicy policy;
        private DataSource dataSource;
        private boolean installSchema = true;
        private InstantSource clock = InstantSource.system();
        private Duration maxDuration = Duration.ofHours(8);

        private Builder() {}

        /** Where the impersonated tenants are looked up; required. */
        public Builder catalog(TenantCatalog catalog) {
            this.catalog = Objects.requireNonNull(catalog, "catalog");
            return this;
        }

        /** Where every session event is recorded; required. */
        public Builder auditLog(AuditLog audit) {
            this.audit = Objects.requireNonNull(audit, "audit");
            return this;
        }

        /** Who may start sessions, write in them, and end others'; required. */
        public Builder policy(AccessPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** The platform database to keep sessions in; in memory without one. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** Whether {@link #build()} installs or upgrades the control-plane tables; on by default. */
        public Builder installSchema(boolean installSchema) {
            this.installSchema = installSchema;
            return this;
        }

        /** The clock that times sessions; the system clock by default. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The longest session a request may ask for; 8 hours by default. */
        public Builder maxDuration(Duration maxDuration) {
            Objects.requireNonNull(maxDuration, "maxDuration");
            if (maxDuration.isNegative() || maxDuration.isZero()) {
                throw new IllegalArgumentException("maxDuration must be positive, was " + maxDuration);
            }
            this.maxDuration = maxDuration;
            return this;
        }

        public Impersonations build() {
            if (catalog == null || audit == null || policy == null) {
                throw new IllegalStateException("Impersonations needs catalog(...), auditLog(...) and policy(...)"
                        + " (for example AccessPolicy.platformDefaults())");
            }
            return new Impersonations(this);
        }
    }
}
