package dev.tenancy.flags;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditEntry;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.JdbcAuditLog;
import dev.tenancy.internal.ControlPlaneSchema;
import dev.tenancy.internal.Jdbc;
import dev.tenancy.internal.PostgresListener;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import tools.jackson.core.type.TypeReference;

/**
 * The flag store in the platform database (PostgreSQL or H2): tables {@code tenancy.tenancy_flags},
 * {@code tenancy.tenancy_flag_overrides} and {@code tenancy.tenancy_flags_version}, installed on build.
 *
 * <pre>{@code
 * FlagStore store = JdbcFlagStore.builder(dataSource).auditLog(audit).build();
 * }</pre>
 *
 * <p>Every change runs in one transaction that also bumps the version row (so concurrent writers
 * queue and every change is one version) and, when the audit log is a {@link JdbcAuditLog} on the
 * same data source, writes its audit events: the change and its audit trail commit together. On
 * PostgreSQL the transaction also sends {@code NOTIFY tenancy_flags}, delivered at commit to every
 * node's listener ({@link FlagChangeNotifications}), which holds one connection of its own and
 * reconnects after a failure.
 */
public final class JdbcFlagStore implements FlagStore, FlagChangeNotifications {
    static final String CHANNEL = "tenancy_flags";
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

    private final DataSource dataSource;
    private final AuditLog audit;
    private final JdbcAuditLog sameDatabaseAudit;
    private final InstantSource clock;
    private final boolean postgres;
    private final List<Runnable> subscribers = new CopyOnWriteArrayList<>();
    private PostgresListener listener;

    private JdbcFlagStore(Builder b) {
        this.dataSource = b.dataSource;
        this.audit = b.audit;
        this.sameDatabaseAudit =
                b.audit instanceof JdbcAuditLog jdbc && jdbc.dataSource() == b.dataSource ? jdbc : null;
        this.clock = b.clock;
        ControlPlaneSchema.install(
                dataSource,
                JdbcFlagStore.class.getClassLoader(),
                "dev/tenancy/db/flags",
                "tenancy_flags_schema_history");
        this.postgres = Jdbc.isPostgres(dataSource);
    }

    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    @Override
    public List<FlagDefinition> definitions() {
        return Jdbc.read(dataSource, "read flag definitions", c -> {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT * FROM tenancy.tenancy_flags ORDER BY flag_key")) {
                List<FlagDefinition> all = new ArrayList<>();
                while (rs.next()) {
                    all.add(definition(rs));
                }
                return all;
            }
        });
    }

    @Override
    public Optional<FlagDefinition> definition(String key) {
        return Jdbc.read(dataSource, "read flag '" + key + "'", c -> find(c, key));
    }

    @Override
    public List<FlagOverride> overrides() {
        return readOverrides("SELECT * FROM tenancy.tenancy_flag_overrides ORDER BY tenant_id, flag_key", null);
    }

    @Override
    public List<FlagOverride> overrides(TenantId tenant) {
        return readOverrides(
                "SELECT * FROM tenancy.tenancy_flag_overrides WHERE tenant_id = ? ORDER BY flag_key", tenant.value());
    }

    private List<FlagOverride> readOverrides(String sql, String tenant) {
        return Jdbc.read(dataSource, "read flag overrides", c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                if (tenant != null) {
                    s.setString(1, tenant);
                }
                try (ResultSet rs = s.executeQuery()) {
                    List<FlagOverride> all = new ArrayList<>();
                    while (rs.next()) {
                        all.add(new FlagOverride(
                                TenantId.of(rs.getString("tenant_id")),
                                rs.getString("flag_key"),
                                rs.getBoolean("enabled"),
                                rs.getString("config"),
                                Jdbc.instant(rs, "expires_at"),
                                rs.getString("reason")));
                    }
                    return all;
                }
            }
        });
    }

    @Override
    public long version() {
        return Jdbc.read(dataSource, "read the flag version", c -> {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT version FROM tenancy.tenancy_flags_version WHERE id = 1")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public void define(FlagDefinition d, Actor actor, String reason) {
        Objects.requireNonNull(d, "definition");
        Objects.requireNonNull(actor, "actor");
        FlagChanges.requireReason(reason, "Defining flag '" + d.key() + "'");
        change("define flag '" + d.key() + "'", c -> {
            Set<String> defined = keys(c);
            FlagChanges.requireDefined(
                    d.requires(), k -> defined.contains(k) || k.equals(d.key()), "Flag '" + d.key() + "'");
            boolean created = !defined.contains(d.key());
            String sql = created
                    ? "INSERT INTO tenancy.tenancy_flags (description, category, default_value, config, allowlist, tiers,"
                            + " tenant_rollout, user_rollout, requires, updated_at, flag_key)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    : "UPDATE tenancy.tenancy_flags SET description = ?, category = ?, default_value = ?, config = ?,"
                            + " allowlist = ?, tiers = ?, tenant_rollout = ?, user_rollout = ?, requires = ?,"
                            + " updated_at = ? WHERE flag_key = ?";
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, d.description());
                s.setString(2, d.category().name());
                s.setBoolean(3, d.defaultValue());
                setNullable(s, 4, d.config());
                s.setString(5, json(d.allowlist().stream().map(TenantId::value).collect(Collectors.toSet())));
                s.setString(6, json(d.tiers()));
                s.setInt(7, d.tenantRollout());
                s.setInt(8, d.userRollout());
                s.setString(9, json(d.requires()));
                s.setObject(10, Jdbc.utc(now()));
                s.setString(11, d.key());
                s.executeUpdate();
            }
            return List.of(FlagChanges.defined(d, created, actor, reason));
        });
    }

    @Override
    public void remove(String key, Actor actor, String reason) {
        FlagChanges.requireReason(reason, "Removing flag '" + key + "'");
        change("remove flag '" + key + "'", c -> {
            if (find(c, key).isEmpty()) {
                return null;
            }
            List<FlagDefinition> all = new ArrayList<>();
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT * FROM tenancy.tenancy_flags")) {
                while (rs.next()) {
                    all.add(definition(rs));
                }
            }
            FlagChanges.requireNoDependents(key, all);
            try (PreparedStatement s =
                            c.prepareStatement("DELETE FROM tenancy.tenancy_flag_overrides WHERE flag_key = ?");
                    PreparedStatement f = c.prepareStatement("DELETE FROM tenancy.tenancy_flags WHERE flag_key = ?")) {
                s.setString(1, key);
                s.executeUpdate();
                f.setString(1, key);
                f.executeUpdate();
            }
            return List.of(FlagChanges.removed(key, actor, reason));
        });
    }

    @Override
    public void override(Collection<FlagOverride> changes, Actor actor) {
        List<FlagOverride> all = List.copyOf(changes);
        Objects.requireNonNull(actor, "actor");
        if (all.isEmpty()) {
            return;
        }
        change("override " + all.size() + " flag value(s)", c -> {
            Set<String> defined = keys(c);
            FlagChanges.requireDefined(
                    all.stream().map(FlagOverride::flagKey).toList(), defined::contains, "An override");
            Instant now = now();
            try (PreparedStatement delete = c.prepareStatement(
                            "DELETE FROM tenancy.tenancy_flag_overrides WHERE tenant_id = ? AND flag_key = ?");
                    PreparedStatement insert = c.prepareStatement("INSERT INTO tenancy.tenancy_flag_overrides"
                            + " (tenant_id, flag_key, enabled, config, expires_at, reason, set_by, set_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (FlagOverride o : all) {
                    delete.setString(1, o.tenant().value());
                    delete.setString(2, o.flagKey());
                    delete.addBatch();
                    insert.setString(1, o.tenant().value());
                    insert.setString(2, o.flagKey());
                    insert.setBoolean(3, o.enabled());
                    setNullable(insert, 4, o.config());
                    if (o.expiresAt() == null) {
                        insert.setNull(5, Types.TIMESTAMP_WITH_TIMEZONE);
                    } else {
                        insert.setObject(5, Jdbc.utc(o.expiresAt()));
                    }
                    insert.setString(6, o.reason());
                    insert.setString(7, actor.id());
                    insert.setObject(8, Jdbc.utc(now));
                    insert.addBatch();
                }
                delete.executeBatch();
                insert.executeBatch();
            }
            return all.stream().map(o -> FlagChanges.overridden(o, actor)).toList();
        });
    }

    @Override
    public void clearOverride(TenantId tenant, String key, Actor actor, String reason) {
        FlagChanges.requireReason(reason, "Clearing the override of '" + key + "' for '" + tenant + "'");
        change("clear the override of '" + key + "' for '" + tenant + "'", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "DELETE FROM tenancy.tenancy_flag_overrides WHERE tenant_id = ? AND flag_key = ?")) {
                s.setString(1, tenant.value());
                s.setString(2, key);
                if (s.executeUpdate() == 0) {
                    return null;
                }
            }
            return List.of(FlagChanges.cleared(tenant, key, actor, reason));
        });
    }

    @Override
    public synchronized AutoCloseable subscribe(Runnable onChange) {
        subscribers.add(onChange);
        if (postgres && listener == null) {
            listener = new PostgresListener(
                    dataSource,
                    dev.tenancy.internal.Channels.name(dataSource, CHANNEL),
                    "tenancy-flags-listen",
                    payload -> changed());
        }
        return () -> {
            subscribers.remove(onChange);
            synchronized (this) {
                if (subscribers.isEmpty() && listener != null) {
                    listener.close();
                    listener = null;
                }
            }
        };
    }

    private void changed() {
        subscribers.forEach(Runnable::run);
    }

    private interface Change {
        /** Makes the change; returns its audit entries, or {@code null} when there was nothing to change. */
        List<AuditEntry> apply(Connection c) throws SQLException;
    }

    private void change(String what, Change change) {
        List<AuditEntry> entries = Jdbc.inTransaction(dataSource, what, c -> {
            List<AuditEntry> made = change.apply(c);
            if (made == null) {
                return null;
            }
            try (Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE tenancy.tenancy_flags_version SET version = version + 1 WHERE id = 1");
                if (postgres) {
                    s.execute("NOTIFY " + dev.tenancy.internal.Channels.name(dataSource, CHANNEL));
                }
            }
            if (sameDatabaseAudit != null) {
                for (AuditEntry e : made) {
                    sameDatabaseAudit.append(c, e);
                }
            }
            return made;
        });
        if (entries == null) {
            return;
        }
        if (sameDatabaseAudit == null) {
            entries.forEach(audit::append);
        }
        changed(); // this node at once; others through NOTIFY or their poll
    }

    private static Optional<FlagDefinition> find(Connection c, String key) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT * FROM tenancy.tenancy_flags WHERE flag_key = ?")) {
            s.setString(1, key);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(definition(rs)) : Optional.empty();
            }
        }
    }

    private static Set<String> keys(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT flag_key FROM tenancy.tenancy_flags")) {
            Set<String> keys = new java.util.HashSet<>();
            while (rs.next()) {
                keys.add(rs.getString(1));
            }
            return keys;
        }
    }

    private static FlagDefinition definition(ResultSet rs) throws SQLException {
        return new FlagDefinition(
                rs.getString("flag_key"),
                rs.getString("description"),
                FlagCategory.valueOf(rs.getString("category")),
                rs.getBoolean("default_value"),
                rs.getString("config"),
                strings(rs.getString("allowlist")).stream().map(TenantId::of).collect(Collectors.toSet()),
                Set.copyOf(strings(rs.getString("tiers"))),
                rs.getInt("tenant_rollout"),
                rs.getInt("user_rollout"),
                Set.copyOf(strings(rs.getString("requires"))));
    }

    private static List<String> strings(String json) {
        return FlagJson.MAPPER.readValue(json, STRINGS);
    }

    private static String json(Set<String> values) {
        return FlagJson.MAPPER.writeValueAsString(values.stream().sorted().toList());
    }

    private static void setNullable(PreparedStatement s, int index, String value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.VARCHAR);
        } else {
            s.setString(index, value);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /** Builds a {@link JdbcFlagStore}; installs or upgrades its tables. */
    public static final class Builder {
        private final DataSource dataSource;
        private AuditLog audit;
        private InstantSource clock = InstantSource.system();

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** Where changes are audited; a {@link JdbcAuditLog} on the same data source commits with them. Required. */
        public Builder auditLog(AuditLog audit) {
            this.audit = Objects.requireNonNull(audit, "audit");
            return this;
        }

        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public JdbcFlagStore build() {
            if (audit == null) {
                throw new IllegalStateException(
                        "JdbcFlagStore needs an audit log: call auditLog(JdbcAuditLog.builder(dataSource).build())");
            }
            return new JdbcFlagStore(this);
        }
    }
}
