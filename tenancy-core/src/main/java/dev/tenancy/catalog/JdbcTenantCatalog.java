package dev.tenancy.catalog;

import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.Page;
import dev.tenancy.Tenant;
import dev.tenancy.TenantAlreadyExistsException;
import dev.tenancy.TenantId;
import dev.tenancy.TenantStatus;
import dev.tenancy.UnknownTenantException;
import dev.tenancy.audit.AuditEntry;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.JdbcAuditLog;
import dev.tenancy.internal.Channels;
import dev.tenancy.internal.ControlPlaneSchema;
import dev.tenancy.internal.Hosts;
import dev.tenancy.internal.Jdbc;
import dev.tenancy.internal.Json;
import dev.tenancy.internal.PostgresListener;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The tenant catalog in the platform database (PostgreSQL or H2), tables {@code tenancy.tenancy_tenants}
 * and {@code tenancy.tenancy_tenant_domains}, installed and upgraded by {@link Builder#build()}.
 *
 * <p>Each write runs in one transaction that locks the tenant's row. When the audit log is a
 * {@link JdbcAuditLog} on the same {@code DataSource}, the audit event is written in that same
 * transaction, so a change and its event commit together or not at all; any other audit log is
 * appended to just before the commit.
 *
 * <pre>{@code
 * TenantCatalog catalog = JdbcTenantCatalog.builder(dataSource).auditLog(audit).build();
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class JdbcTenantCatalog implements TenantCatalog, CatalogChangeNotifications {
    private static final String COLUMNS = "id, display_name, status, status_reason, tier, isolation, server, "
            + "owner_email, attributes, expires_at, created_at, updated_at, version";

    /** The channel every change is announced on (PostgreSQL), with the tenant id as payload. */
    static final String CHANNEL = "tenancy_catalog";

    private final DataSource dataSource;
    private final AuditLog audit;
    private final JdbcAuditLog sameDatabaseAudit;
    private final InstantSource clock;
    private final boolean postgres;
    private final CatalogSubscribers subscribers = new CatalogSubscribers();

    private JdbcTenantCatalog(Builder b) {
        this.dataSource = b.dataSource;
        this.audit = b.audit;
        this.clock = b.clock;
        this.sameDatabaseAudit =
                b.audit instanceof JdbcAuditLog jdbc && jdbc.dataSource() == b.dataSource ? jdbc : null;
        if (b.installSchema) {
            ControlPlaneSchema.install(dataSource);
        }
        this.postgres = Jdbc.isPostgres(dataSource);
    }

    /**
     * On PostgreSQL, every change committed through any catalog on this database (every node), heard
     * through LISTEN/NOTIFY on one dedicated connection per subscription, held until the result is
     * closed. On other databases, the changes made through this instance, after they commit.
     */
    @Override
    public AutoCloseable subscribe(Consumer<TenantId> onChange) {
        if (!postgres) {
            return subscribers.add(onChange);
        }
        CatalogSubscribers subscriber = new CatalogSubscribers();
        subscriber.add(onChange);
        return new PostgresListener(
                dataSource,
                Channels.name(dataSource, CHANNEL),
                "tenancy-catalog-listen",
                payload -> subscriber.changed(tenantOf(payload)));
    }

    /** The tenant a notification names; {@code null} (anything may have changed) for none or a foreign payload. */
    private static TenantId tenantOf(String payload) {
        try {
            return payload == null ? null : TenantId.of(payload);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** {@code result}, after telling this instance's subscribers that {@code id} changed (not on PostgreSQL, which announces at commit). */
    private <T> T announce(TenantId id, T result) {
        if (!postgres) {
            subscribers.changed(id);
        }
        return result;
    }

    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    @Override
    public Optional<Tenant> find(TenantId id) {
        Objects.requireNonNull(id, "id");
        return Jdbc.read(dataSource, "read tenant '" + id + "'", c -> Optional.ofNullable(select(c, id, false)));
    }

    @Override
    public Optional<TenantId> findByDomain(String host) {
        String normalized = Hosts.normalize(host);
        if (normalized == null) {
            return Optional.empty();
        }
        return Jdbc.read(dataSource, "look up domain '" + normalized + "'", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT tenant_id FROM tenancy.tenancy_tenant_domains WHERE domain = ? AND verified = TRUE")) {
                s.setString(1, normalized);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(TenantId.of(rs.getString(1))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<TenantDomain> domains(TenantId id) {
        Objects.requireNonNull(id, "id");
        return Jdbc.read(dataSource, "list domains of '" + id + "'", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT domain, tenant_id, verified, primary_of, created_at"
                    + " FROM tenancy.tenancy_tenant_domains WHERE tenant_id = ? ORDER BY domain")) {
                s.setString(1, id.value());
                List<TenantDomain> result = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        result.add(readDomain(rs));
                    }
                }
                return result;
            }
        });
    }

    @Override
    public Page<Tenant> list(TenantQuery q) {
        Objects.requireNonNull(q, "query");
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (q.search() != null) {
            String pattern = Jdbc.containsPattern(q.search());
            where.append(" AND (LOWER(id) LIKE ? ESCAPE '\\' OR LOWER(display_name) LIKE ? ESCAPE '\\'"
                    + " OR LOWER(owner_email) LIKE ? ESCAPE '\\')");
            params.add(pattern);
            params.add(pattern);
            params.add(pattern);
        }
        if (!q.statuses().isEmpty()) {
            where.append(" AND status IN (")
                    .append(placeholders(q.statuses().size()))
                    .append(')');
            q.statuses().stream().map(TenantStatus::key).sorted().forEach(params::add);
        }
        if (!q.tiers().isEmpty()) {
            where.append(" AND tier IN (")
                    .append(placeholders(q.tiers().size()))
                    .append(')');
            q.tiers().stream().sorted().forEach(params::add);
        }
        if (q.createdFrom() != null) {
            where.append(" AND created_at >= ?");
            params.add(Jdbc.utc(q.createdFrom()));
        }
        if (q.createdTo() != null) {
            where.append(" AND created_at < ?");
            params.add(Jdbc.utc(q.createdTo()));
        }
        if (q.expiringBefore() != null) {
            where.append(" AND expires_at < ?");
            params.add(Jdbc.utc(q.expiringBefore()));
        }
        String direction = q.descending() ? " DESC" : " ASC";
        String order = switch (q.sort()) {
            case NAME -> " ORDER BY LOWER(display_name)" + direction + ", id" + direction;
            case CREATED -> " ORDER BY created_at" + direction + ", id" + direction;
        };
        return Jdbc.read(
                dataSource,
                "list tenants",
                c -> Jdbc.page(
                        c,
                        COLUMNS,
                        "tenancy.tenancy_tenants",
                        where.toString(),
                        params,
                        order,
                        q.offset(),
                        q.limit(),
                        JdbcTenantCatalog::readTenant));
    }

    @Override
    public Map<String, Long> countByServer(IsolationModel isolation) {
        Objects.requireNonNull(isolation, "isolation");
        return Jdbc.read(dataSource, "count tenants by server", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT server, COUNT(*) FROM tenancy.tenancy_tenants"
                    + " WHERE isolation = ? AND status <> ? GROUP BY server")) {
                s.setString(1, isolation.key());
                s.setString(2, TenantStatus.PURGED.key());
                Map<String, Long> counts = new TreeMap<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        counts.put(rs.getString(1), rs.getLong(2));
                    }
                }
                return counts;
            }
        });
    }

    @Override
    public Tenant register(TenantRegistration registration, Actor actor) {
        Objects.requireNonNull(registration, "registration");
        Objects.requireNonNull(actor, "actor");
        Tenant tenant = CatalogChanges.newTenant(registration, CatalogChanges.now(clock));
        try {
            return announce(tenant.id(), Jdbc.inTransaction(dataSource, "register tenant '" + tenant.id() + "'", c -> {
                try (PreparedStatement s = c.prepareStatement("INSERT INTO tenancy.tenancy_tenants (" + COLUMNS
                        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    bindTenant(s, tenant);
                    s.executeUpdate();
                }
                audit(c, CatalogChanges.registered(tenant, actor));
                return tenant;
            }));
        } catch (RuntimeException e) {
            if (Jdbc.isUniqueViolation(e)) {
                throw new TenantAlreadyExistsException("Tenant", tenant.id().value());
            }
            throw e;
        }
    }

    @Override
    public Tenant update(TenantId id, TenantUpdate update, Actor actor) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(update, "update");
        Objects.requireNonNull(actor, "actor");
        return announce(id, Jdbc.inTransaction(dataSource, "update tenant '" + id + "'", c -> {
            Tenant before = lock(c, id);
            Tenant after = update.applyTo(before, CatalogChanges.now(clock));
            write(c, after);
            audit(c, CatalogChanges.updated(before, after, actor));
            return after;
        }));
    }

    @Override
    public Tenant transition(TenantId id, TenantStatus target, Actor actor, String reason) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(actor, "actor");
        String why = CatalogChanges.requireReason(reason);
        return announce(id, Jdbc.inTransaction(dataSource, "move tenant '" + id + "' to " + target.key(), c -> {
            Tenant before = lock(c, id);
            Tenant after = CatalogChanges.transitioned(before, target, why, CatalogChanges.now(clock));
            write(c, after);
            audit(c, CatalogChanges.transitioned(before, after, actor));
            return after;
        }));
    }

    @Override
    public TenantDomain addDomain(TenantId id, String domain, Actor actor) {
        Objects.requireNonNull(actor, "actor");
        TenantDomain added = new TenantDomain(
                DomainRules.basic().requireClaimable(domain), id, false, false, CatalogChanges.now(clock));
        try {
            return announce(id, Jdbc.inTransaction(dataSource, "add domain '" + added.domain() + "'", c -> {
                lock(c, id);
                try (PreparedStatement s = c.prepareStatement("INSERT INTO tenancy.tenancy_tenant_domains"
                        + " (domain, tenant_id, verified, created_at) VALUES (?, ?, ?, ?)")) {
                    s.setString(1, added.domain());
                    s.setString(2, id.value());
                    s.setBoolean(3, false);
                    s.setObject(4, Jdbc.utc(added.createdAt()));
                    s.executeUpdate();
                }
                audit(c, CatalogChanges.domainAdded(added, actor));
                return added;
            }));
        } catch (RuntimeException e) {
            if (Jdbc.isUniqueViolation(e)) {
                throw new TenantAlreadyExistsException("Domain", added.domain());
            }
            throw e;
        }
    }

    @Override
    public TenantDomain verifyDomain(String domain, Actor actor) {
        Objects.requireNonNull(actor, "actor");
        String host = Hosts.requireHost(domain);
        TenantDomain verified = Jdbc.inTransaction(dataSource, "verify domain '" + host + "'", c -> {
            TenantDomain existing = lockDomain(c, host);
            if (existing == null) {
                throw new UnknownTenantException(host);
            }
            if (existing.verified()) {
                return existing;
            }
            boolean first = primaryOf(c, existing.tenantId()) == null;
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE tenancy.tenancy_tenant_domains SET verified = TRUE, primary_of = ? WHERE domain = ?")) {
                s.setString(1, first ? existing.tenantId().value() : null);
                s.setString(2, host);
                s.executeUpdate();
            }
            TenantDomain now = new TenantDomain(host, existing.tenantId(), true, first, existing.createdAt());
            audit(c, CatalogChanges.domainVerified(now, actor));
            if (first) {
                audit(c, CatalogChanges.domainPrimary(now, null, actor));
            }
            return now;
        });
        return announce(verified.tenantId(), verified);
    }

    @Override
    public TenantDomain setPrimaryDomain(String domain, Actor actor) {
        Objects.requireNonNull(actor, "actor");
        String host = Hosts.requireHost(domain);
        TenantDomain[] changed = new TenantDomain[1];
        TenantDomain primary = Jdbc.inTransaction(dataSource, "make domain '" + host + "' primary", c -> {
            TenantDomain existing = lockDomain(c, host);
            if (existing == null) {
                throw new UnknownTenantException(host);
            }
            CatalogChanges.requireVerified(existing);
            if (existing.primary()) {
                return existing;
            }
            lock(c, existing.tenantId()); // serializes primary changes of one tenant
            String previous = primaryOf(c, existing.tenantId());
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE tenancy.tenancy_tenant_domains SET primary_of = NULL WHERE primary_of = ?")) {
                s.setString(1, existing.tenantId().value());
                s.executeUpdate();
            }
            try (PreparedStatement s =
                    c.prepareStatement("UPDATE tenancy.tenancy_tenant_domains SET primary_of = ? WHERE domain = ?")) {
                s.setString(1, existing.tenantId().value());
                s.setString(2, host);
                s.executeUpdate();
            }
            TenantDomain now = existing.withPrimary(true);
            audit(c, CatalogChanges.domainPrimary(now, previous, actor));
            changed[0] = now;
            return now;
        });
        return changed[0] == null ? primary : announce(primary.tenantId(), primary);
    }

    /** The tenant's primary domain's name, or null. */
    private static String primaryOf(Connection c, TenantId tenant) throws SQLException {
        try (PreparedStatement s =
                c.prepareStatement("SELECT domain FROM tenancy.tenancy_tenant_domains WHERE primary_of = ?")) {
            s.setString(1, tenant.value());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    @Override
    public void unverifyDomain(String domain, Actor actor, String reason) {
        Objects.requireNonNull(actor, "actor");
        String host = Hosts.requireHost(domain);
        TenantDomain changed = Jdbc.inTransaction(dataSource, "unverify domain '" + host + "'", c -> {
            TenantDomain existing = lockDomain(c, host);
            if (existing == null || !existing.verified()) {
                return null;
            }
            if (existing.primary()) {
                lock(c, existing.tenantId()); // serializes primary changes of one tenant
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE tenancy.tenancy_tenant_domains"
                    + " SET verified = FALSE, primary_of = NULL WHERE domain = ?")) {
                s.setString(1, host);
                s.executeUpdate();
            }
            audit(c, CatalogChanges.domainUnverified(existing, actor, reason));
            if (existing.primary()) {
                promoteNextPrimary(c, existing, actor);
            }
            return existing;
        });
        if (changed != null) {
            announce(changed.tenantId(), changed);
        }
    }

    @Override
    public void removeDomain(String domain, Actor actor) {
        Objects.requireNonNull(actor, "actor");
        String host = Hosts.requireHost(domain);
        TenantDomain removed = Jdbc.inTransaction(dataSource, "remove domain '" + host + "'", c -> {
            TenantDomain existing = lockDomain(c, host);
            if (existing != null) {
                if (existing.primary()) {
                    lock(c, existing.tenantId()); // serializes primary changes of one tenant
                }
                try (PreparedStatement s =
                        c.prepareStatement("DELETE FROM tenancy.tenancy_tenant_domains WHERE domain = ?")) {
                    s.setString(1, host);
                    s.executeUpdate();
                }
                audit(c, CatalogChanges.domainRemoved(existing, actor));
                if (existing.primary()) {
                    promoteNextPrimary(c, existing, actor);
                }
            }
            return existing;
        });
        if (removed != null) {
            announce(removed.tenantId(), removed);
        }
    }

    /** Makes the first other verified domain (by name) of a removed primary domain's tenant primary. */
    private void promoteNextPrimary(Connection c, TenantDomain removed, Actor actor) throws SQLException {
        TenantDomain next;
        try (PreparedStatement s = c.prepareStatement("SELECT domain, tenant_id, verified, primary_of, created_at"
                + " FROM tenancy.tenancy_tenant_domains WHERE tenant_id = ? AND verified = TRUE"
                + " ORDER BY domain FETCH FIRST 1 ROW ONLY")) {
            s.setString(1, removed.tenantId().value());
            try (ResultSet rs = s.executeQuery()) {
                next = rs.next() ? readDomain(rs).withPrimary(true) : null;
            }
        }
        if (next == null) {
            return;
        }
        try (PreparedStatement s =
                c.prepareStatement("UPDATE tenancy.tenancy_tenant_domains SET primary_of = ? WHERE domain = ?")) {
            s.setString(1, removed.tenantId().value());
            s.setString(2, next.domain());
            s.executeUpdate();
        }
        audit(c, CatalogChanges.domainPrimary(next, removed.domain(), actor));
    }

    /** Records {@code entry} and, on PostgreSQL, announces the change to every node at commit. */
    private void audit(Connection c, AuditEntry entry) throws SQLException {
        if (postgres) {
            try (PreparedStatement s = c.prepareStatement("SELECT pg_notify(?, ?)")) {
                s.setString(1, Channels.name(dataSource, CHANNEL));
                s.setString(2, entry.tenantId().value());
                s.execute();
            }
        }
        if (sameDatabaseAudit != null) {
            sameDatabaseAudit.append(c, entry);
        } else {
            audit.append(entry);
        }
    }

    private static Tenant lock(Connection c, TenantId id) throws SQLException {
        Objects.requireNonNull(id, "id");
        Tenant tenant = select(c, id, true);
        if (tenant == null) {
            throw new UnknownTenantException(id.value());
        }
        return tenant;
    }

    private static Tenant select(Connection c, TenantId id, boolean forUpdate) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM tenancy.tenancy_tenants WHERE id = ?"
                + (forUpdate ? " FOR UPDATE" : ""))) {
            s.setString(1, id.value());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? readTenant(rs) : null;
            }
        }
    }

    private static TenantDomain lockDomain(Connection c, String host) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT domain, tenant_id, verified, primary_of, created_at"
                + " FROM tenancy.tenancy_tenant_domains WHERE domain = ? FOR UPDATE")) {
            s.setString(1, host);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? readDomain(rs) : null;
            }
        }
    }

    private static void write(Connection c, Tenant t) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE tenancy.tenancy_tenants SET display_name = ?, status = ?,"
                + " status_reason = ?, tier = ?, owner_email = ?, attributes = ?, updated_at = ?, version = ?,"
                + " isolation = ?, server = ?, expires_at = ? WHERE id = ? AND version = ?")) {
            s.setString(1, t.displayName());
            s.setString(2, t.status().key());
            s.setString(3, t.statusReason());
            s.setString(4, t.tier());
            s.setString(5, t.ownerEmail());
            s.setString(6, Json.write(t.attributes()));
            s.setObject(7, Jdbc.utc(t.updatedAt()));
            s.setLong(8, t.version());
            s.setString(9, t.isolation().key());
            s.setString(10, t.server());
            s.setObject(11, Jdbc.utc(t.expiresAt()));
            s.setString(12, t.id().value());
            s.setLong(13, t.version() - 1);
            if (s.executeUpdate() != 1) {
                throw new SQLException("Tenant '" + t.id() + "' changed concurrently although its row was locked");
            }
        }
    }

    private static void bindTenant(PreparedStatement s, Tenant t) throws SQLException {
        s.setString(1, t.id().value());
        s.setString(2, t.displayName());
        s.setString(3, t.status().key());
        s.setString(4, t.statusReason());
        s.setString(5, t.tier());
        s.setString(6, t.isolation().key());
        s.setString(7, t.server());
        s.setString(8, t.ownerEmail());
        s.setString(9, Json.write(t.attributes()));
        s.setObject(10, Jdbc.utc(t.expiresAt()));
        s.setObject(11, Jdbc.utc(t.createdAt()));
        s.setObject(12, Jdbc.utc(t.updatedAt()));
        s.setLong(13, t.version());
    }

    private static Tenant readTenant(ResultSet rs) throws SQLException {
        return new Tenant(
                TenantId.of(rs.getString("id")),
                rs.getString("display_name"),
                TenantStatus.fromKey(rs.getString("status")),
                rs.getString("status_reason"),
                rs.getString("tier"),
                IsolationModel.fromKey(rs.getString("isolation")),
                rs.getString("server"),
                rs.getString("owner_email"),
                Json.readStringMap(rs.getString("attributes")),
                Jdbc.instant(rs, "expires_at"),
                Jdbc.instant(rs, "created_at"),
                Jdbc.instant(rs, "updated_at"),
                rs.getLong("version"));
    }

    private static TenantDomain readDomain(ResultSet rs) throws SQLException {
        return new TenantDomain(
                rs.getString("domain"),
                TenantId.of(rs.getString("tenant_id")),
                rs.getBoolean("verified"),
                rs.getString("primary_of") != null,
                Jdbc.instant(rs, "created_at"));
    }

    private static String placeholders(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }

    /** Builds a {@link JdbcTenantCatalog}. */
    public static final class Builder {
        private final DataSource dataSource;
        private AuditLog audit;
        private InstantSource clock = InstantSource.system();
        private boolean installSchema = true;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** Where every change is recorded; required. */
        public Builder auditLog(AuditLog audit) {
            if (this.audit != null) {
                throw new IllegalStateException("auditLog was already set to " + this.audit);
            }
            this.audit = Objects.requireNonNull(audit, "audit");
            return this;
        }

        /** The clock that times changes; the system clock by default. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Whether {@link #build()} installs or upgrades the control-plane tables; on by default. */
        public Builder installSchema(boolean installSchema) {
            this.installSchema = installSchema;
            return this;
        }

        public JdbcTenantCatalog build() {
            if (audit == null) {
                throw new IllegalStateException(
                        "JdbcTenantCatalog needs an audit log: call auditLog(JdbcAuditLog.builder(dataSource).build())");
            }
            return new JdbcTenantCatalog(this);
        }
    }
}
