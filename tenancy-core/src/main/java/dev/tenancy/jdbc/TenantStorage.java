package dev.tenancy.jdbc;

import dev.tenancy.IsolationModel;
import dev.tenancy.Tenant;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a tenant's tables live on its server, and the DDL that creates and drops that place: a
 * schema (schema-per-tenant), a database (database-per-tenant) or nothing of its own (shared). Used
 * by provisioning, migrations and offboarding; connections opened here are the server owner's
 * ({@link DatabaseServer#withOwner}), outside the pools and outside {@link TenantDataSource}'s
 * admission checks, so keep them to administrative work.
 *
 * <p>On PostgreSQL, when the owner is not the application's user, a new schema or database grants
 * the application the use of the owner's tables and sequences in it, and {@link
 * #applyAccessControl} closes a schema tenant's tables to other tenants' sessions.
 *
 * <p>Names come only from the validated {@link dev.tenancy.TenantId} and are quoted. Creating is
 * idempotent (an existing schema or database is kept), and so is dropping.
 */
public final class TenantStorage {
    private static final Logger LOG = LoggerFactory.getLogger(TenantStorage.class);

    /** Servers already warned about: signed bindings, schema tenants, and no owner of their own. */
    private static final Set<String> UNOWNED_WARNED = ConcurrentHashMap.newKeySet();

    /** The table, in each tenant's schema or database, where Flyway records the tenant's migrations. */
    public static final String MIGRATION_HISTORY = "flyway_schema_history";

    /**
     * The table, in the default schema of each server holding shared-model tenants, where Flyway
     * records the shared tables' migrations; not Flyway's default name, which Spring Boot's own
     * Flyway uses for the platform database (often the same database).
     */
    public static final String SHARED_MIGRATION_HISTORY = "shared_schema_history";

    /** The table, in each tenant's schema or database, marking that its seed ran. */
    public static final String SEED_MARKER = "tenancy_seeded";

    private final DatabaseServer server;
    private final Dialect dialect;
    private final BindingKey key;

    private TenantStorage(DatabaseServer server, BindingKey key) {
        this.server = Objects.requireNonNull(server, "server");
        this.dialect = Dialect.of(server.jdbcUrl());
        this.key = key;
    }

    /** The storage of tenants placed on {@code server}, for sessions bound without a signature. */
    public static TenantStorage on(DatabaseServer server) {
        return new TenantStorage(server, null);
    }

    /** As {@link #on(DatabaseServer)}, for sessions whose bindings {@code key} signs ({@code null}: none). */
    static TenantStorage on(DatabaseServer server, BindingKey key) {
        return new TenantStorage(server, key);
    }

    /** Whether the server is PostgreSQL (else H2). */
    public boolean postgres() {
        return dialect == Dialect.POSTGRESQL;
    }

    /** The JDBC URL that reaches {@code tenant}'s tables. */
    public String url(Tenant tenant) {
        return tenant.isolation() == IsolationModel.DATABASE
                ? server.databaseUrl(tenant.id().databaseName())
                : server.jdbcUrl();
    }

    /** The schema that holds {@code tenant}'s tables in {@link #url(Tenant)}. */
    public String schema(Tenant tenant) {
        return tenant.isolation() == IsolationModel.SCHEMA ? tenant.id().schemaName() : dialect.defaultSchema();
    }

    /**
     * Creates {@code tenant}'s schema or database unless it exists; nothing for shared tenants.
     *
     * @param templateDatabase on PostgreSQL, the database a new tenant database is copied from
     *     ({@code CREATE DATABASE ... TEMPLATE}, the fast path); {@code null} for an empty one
     * @return whether anything was created
     */
    public boolean create(Tenant tenant, String templateDatabase) throws SQLException {
        switch (tenant.isolation()) {
            case SHARED -> {
                return false;
            }
            case SCHEMA -> {
                try (Connection c = ownerConnection(server.jdbcUrl());
                        Statement s = c.createStatement()) {
                    boolean existed = schemaExists(c, tenant.id().schemaName());
                    s.execute("CREATE SCHEMA IF NOT EXISTS "
                            + Dialect.quote(tenant.id().schemaName()));
                    grantToApplication(s, tenant.id().schemaName());
                    return !existed;
                }
            }
            case DATABASE -> {
                String url = server.databaseUrl(tenant.id().databaseName()); // fails clearly without a template
                if (dialect == Dialect.H2) {
                    try (Connection c = ownerConnection(url)) {
                        return true; // H2 creates a database on first connection
                    }
                }
                boolean created = false;
                try (Connection c = ownerConnection(server.jdbcUrl())) {
                    if (!databaseExists(c, tenant.id().databaseName())) {
                        try (Statement s = c.createStatement()) {
                            s.execute("CREATE DATABASE "
                                    + Dialect.quote(tenant.id().databaseName())
                                    + (templateDatabase == null ? "" : " TEMPLATE " + Dialect.quote(templateDatabase)));
                            created = true;
                        } catch (SQLException e) {
                            if (!databaseExists(c, tenant.id().databaseName())) {
                                throw e;
                            } // else created concurrently
                        }
                    }
                }
                if (grantsToApplication()) { // also when resuming after a crash between the two
                    try (Connection c = ownerConnection(url);
                            Statement s = c.createStatement()) {
                        grantToApplication(s, dialect.defaultSchema());
                    }
                }
                return created;
            }
        }
        throw new AssertionError(tenant.isolation());
    }

    /** Whether {@code tenant}'s schema or database exists; always true for shared tenants. */
    public boolean exists(Tenant tenant) throws SQLException {
        return switch (tenant.isolation()) {
            case SHARED -> true;
            case SCHEMA -> {
                try (Connection c = ownerConnection(server.jdbcUrl())) {
                    yield schemaExists(c, tenant.id().schemaName());
                }
            }
            case DATABASE -> {
                if (dialect == Dialect.H2) {
                    yield true;
                }
                try (Connection c = ownerConnection(server.jdbcUrl())) {
                    yield databaseExists(c, tenant.id().databaseName());
                }
            }
        };
    }

    /**
     * Drops {@code tenant}'s schema (with everything in it) or database (closing its sessions);
     * nothing for shared tenants, whose rows the caller deletes. Dropping what is gone is a no-op.
     */
    public void drop(Tenant tenant) throws SQLException {
        switch (tenant.isolation()) {
            case SHARED -> {}
            case SCHEMA -> {
                try (Connection c = ownerConnection(server.jdbcUrl());
                        Statement s = c.createStatement()) {
                    s.execute(
                            "DROP SCHEMA IF EXISTS " + Dialect.quote(tenant.id().schemaName()) + " CASCADE");
                }
            }
            case DATABASE -> {
                if (dialect == Dialect.H2) {
                    try (Connection c = ownerConnection(url(tenant));
                            Statement s = c.createStatement()) {
                        s.execute("DROP ALL OBJECTS");
                    }
                    return;
                }
                try (Connection c = ownerConnection(server.jdbcUrl());
                        Statement s = c.createStatement()) {
                    s.execute("DROP DATABASE IF EXISTS "
                            + Dialect.quote(tenant.id().databaseName()) + " WITH (FORCE)");
                }
            }
        }
    }

    /**
     * An owner connection to {@code tenant}'s tables: its schema current and, on PostgreSQL, the
     * tenant setting row-level security reads set for the session (signed, when this storage came
     * from a data source that signs its bindings). The caller closes it.
     */
    public Connection connect(Tenant tenant) throws SQLException {
        Connection c = ownerConnection(url(tenant));
        try {
            BindingKey signing = dialect == Dialect.POSTGRESQL ? key : null;
            boolean installed = dialect == Dialect.POSTGRESQL && SessionBinder.ensureInstalled(c, signing);
            Binding binding = new Binding(tenant.id(), schema(tenant), false);
            if (server.transactionPooling() && dialect == Dialect.POSTGRESQL) {
                c.setAutoCommit(false);
                return BoundConnection.wrapPerTransaction(c, binding, dialect, () -> {}, null, signing, installed, c);
            }
            SessionBinder.bindSession(c, c, dialect, binding, signing, installed);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * On PostgreSQL, when the server has an owner of its own ({@link DatabaseServer#withOwner}):
     * grants the application's user the use of {@code tenant}'s tables and sequences (schema and
     * database tenants; see {@link DatabaseServer#withOwner}), and closes a schema tenant's tables
     * to sessions bound to any other tenant ({@link RowLevelSecurity#onSchemaOf}, signed when the
     * {@link TenantDataSource} this storage came from signs its bindings); with signed bindings, a
     * database tenant's tables get the same policy in its own database, so that its read-only
     * bindings (archived, read-only scopes) cannot write whatever the session's SQL sets. Nothing
     * for shared tenants (their tables are the host's), on H2, or when the application's user owns the tables
     * (row-level security would not bind it; logged once per server when bindings are signed, since
     * the deployment then expects tenants to be closed to each other).
     *
     * <p>Idempotent. Provisioning runs it before activating a tenant and fleet migrations after
     * each migration, so a fleet migration also brings tenants created before the server had an
     * owner under it, once their tables belong to the owner ({@code REASSIGN OWNED BY app TO
     * owner}).
     *
     * @return the tables the schema policy covers, empty when none was applied
     */
    public List<String> applyAccessControl(Tenant tenant) throws SQLException {
        if (tenant.isolation() == IsolationModel.SHARED || dialect != Dialect.POSTGRESQL) {
            return List.of();
        }
        if (!server.hasSeparateOwner()) {
            if (key != null && tenant.isolation() == IsolationModel.SCHEMA && UNOWNED_WARNED.add(server.name())) {
                LOG.warn(
                        "Bindings are signed, but schema tenants on server '{}' are not closed to each other: the"
                                + " application's user owns their tables, so row-level security would not bind it. Give"
                                + " the server an owner of its own (DatabaseServer.withOwner)",
                        server.name());
            }
            return List.of();
        }
        try (Connection c = ownerConnection(url(tenant));
                Statement s = c.createStatement()) {
            grantToApplication(s, schema(tenant));
        }
        if (tenant.isolation() == IsolationModel.DATABASE) {
            if (key == null) {
                return List.of(); // its database keeps other tenants out; nothing to sign read-only with
            }
            try (Connection c = ownerConnection(url(tenant))) {
                return RowLevelSecurity.onDatabaseOf(tenant.id()).signedBy(key).apply(c);
            }
        }
        RowLevelSecurity.SchemaPolicy policy = RowLevelSecurity.onSchemaOf(tenant.id());
        try (Connection c = ownerConnection(server.jdbcUrl())) {
            return (key == null ? policy : policy.signedBy(key)).apply(c);
        }
    }

    /**
     * On PostgreSQL, when the server has an owner of its own: grants the application's user the use
     * of the owner's tables and sequences in the server's default schema, where the shared model's
     * tables live. Table by table, with no default privileges: that schema also holds what the
     * application must not read, which stays closed (the migration histories, the seed marker, and
     * the signing key of {@linkplain RowLevelSecurity#signedBy signed bindings}, {@value
     * RowLevelSecurity#KEY_TABLE}). Nothing otherwise. Idempotent; shared migrations run it after
     * each run, so the tables they add are granted then.
     */
    public void grantSharedTables() throws SQLException {
        if (!grantsToApplication()) {
            return;
        }
        String schema = dialect.defaultSchema();
        String app = Dialect.quote(server.username());
        Set<String> closed = Set.of(
                MIGRATION_HISTORY,
                SHARED_MIGRATION_HISTORY,
                SEED_MARKER,
                RowLevelSecurity.KEY_TABLE,
                RowLevelSecurity.SESSIONS_TABLE,
                RowLevelSecurity.NONCES_TABLE);
        try (Connection c = ownerConnection(server.jdbcUrl());
                Statement s = c.createStatement()) {
            s.execute("GRANT USAGE ON SCHEMA " + Dialect.quote(schema) + " TO " + app);
            List<String> tables = new java.util.ArrayList<>();
            try (PreparedStatement owned = c.prepareStatement(
                    "SELECT tablename FROM pg_tables WHERE schemaname = ? AND tableowner = current_user")) {
                owned.setString(1, schema);
                try (ResultSet rs = owned.executeQuery()) {
                    while (rs.next()) {
                        tables.add(rs.getString(1));
                    }
                }
            }
            String reader = server.hasReadOnlyUser() ? Dialect.quote(server.readOnlyUsername()) : null;
            if (reader != null) {
                s.execute("GRANT USAGE ON SCHEMA " + Dialect.quote(schema) + " TO " + reader);
            }
            for (String table : tables) {
                String qualified = Dialect.quote(schema) + "." + Dialect.quote(table);
                if (closed.contains(table)) {
                    s.execute("REVOKE ALL ON " + qualified + " FROM " + app + (reader == null ? "" : ", " + reader));
                } else {
                    s.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON " + qualified + " TO " + app);
                    if (reader != null) {
                        s.execute("GRANT SELECT ON " + qualified + " TO " + reader);
                    }
                }
            }
            s.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA " + Dialect.quote(schema) + " TO " + app);
            if (reader != null) {
                s.execute("GRANT SELECT ON ALL SEQUENCES IN SCHEMA " + Dialect.quote(schema) + " TO " + reader);
            }
            revokeIdentitySequences(c, s, schema, reader == null ? app : app + ", " + reader);
        }
    }

    /**
     * Takes every privilege on {@code schema}'s identity columns' sequences from {@code roles}:
     * inserting into an identity column needs none, and without them no tenant reads another's
     * {@code last_value} or advances its sequence. Sequences of {@code serial} columns and sequences
     * of their own keep {@code USAGE}, which their {@code nextval} needs.
     */
    private static void revokeIdentitySequences(Connection c, Statement s, String schema, String roles)
            throws SQLException {
        List<String> identity = new java.util.ArrayList<>();
        try (PreparedStatement find =
                c.prepareStatement("SELECT quote_ident(n.nspname) || '.' || quote_ident(q.relname)"
                        + " FROM pg_class q JOIN pg_namespace n ON n.oid = q.relnamespace"
                        + " JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = q.oid AND d.deptype = 'i'"
                        + " WHERE q.relkind = 'S' AND n.nspname = ?")) {
            find.setString(1, schema);
            try (ResultSet rs = find.executeQuery()) {
                while (rs.next()) {
                    identity.add(rs.getString(1));
                }
            }
        }
        for (String sequence : identity) {
            s.execute("REVOKE ALL ON SEQUENCE " + sequence + " FROM " + roles);
        }
    }

    /**
     * Puts {@code table} (a shared-model table whose rows {@code tenantColumn} tells apart) under
     * row-level security, as the server's owner: {@link RowLevelSecurity#on}, signed with this
     * storage's binding key when it has one. Idempotent; nothing on H2 or without an owner of the
     * server's own (the application's role would own the table, and no policy binds an owner).
     *
     * @return whether the policy was applied
     */
    public boolean applyRowLevelSecurity(String table, String tenantColumn) throws SQLException {
        if (dialect != Dialect.POSTGRESQL || !server.hasSeparateOwner()) {
            return false;
        }
        RowLevelSecurity policy = RowLevelSecurity.on(table).tenantColumn(tenantColumn);
        if (key != null) {
            policy = policy.signedBy(key);
        }
        try (Connection owner = ownerConnection(server.jdbcUrl())) {
            policy.apply(owner);
        }
        return true;
    }

    /**
     * The key of PostgreSQL's advisory lock named {@code name}, for Tenancy's own components (moves):
     * derived from the binding key when there is one, so that a tenant's session cannot compute it
     * to take the lock first; else a fixed hash of the name.
     */
    public long advisoryLockKey(String name) {
        Objects.requireNonNull(name, "name");
        if (key != null) {
            return key.lockKey(name);
        }
        long hash = 0xcbf29ce484222325L; // FNV-1a, 64 bits
        for (byte b : name.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        return hash;
    }

    /** The server's users and passwords, for tools (such as Flyway) that open their own connections. */
    public DatabaseServer server() {
        return server;
    }

    private boolean grantsToApplication() {
        return dialect == Dialect.POSTGRESQL && server.hasSeparateOwner();
    }

    /**
     * Lets the application's user use {@code schema}, its tables and sequences (those a template
     * copied included), and what the owner creates in it from now on, except the migration history
     * and the seed marker; idempotent. Nothing unless {@link
     * #grantsToApplication()}.
     */
    private void grantToApplication(Statement s, String schema) throws SQLException {
        if (!grantsToApplication()) {
            return;
        }
        String app = Dialect.quote(server.username());
        String quoted = Dialect.quote(schema);
        s.execute("GRANT USAGE ON SCHEMA " + quoted + " TO " + app);
        s.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + quoted + " TO " + app);
        s.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA " + quoted + " TO " + app);
        s.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA " + quoted + " GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "
                + app);
        s.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA " + quoted + " GRANT USAGE, SELECT ON SEQUENCES TO " + app);
        String reader = server.hasReadOnlyUser() ? Dialect.quote(server.readOnlyUsername()) : null;
        if (reader != null) { // reads only: SELECT on sequences reads them, USAGE (nextval) is never granted
            s.execute("GRANT USAGE ON SCHEMA " + quoted + " TO " + reader);
            s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA " + quoted + " TO " + reader);
            s.execute("GRANT SELECT ON ALL SEQUENCES IN SCHEMA " + quoted + " TO " + reader);
            s.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA " + quoted + " GRANT SELECT ON TABLES TO " + reader);
            s.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA " + quoted + " GRANT SELECT ON SEQUENCES TO " + reader);
        }
        revokeIdentitySequences(s.getConnection(), s, schema, reader == null ? app : app + ", " + reader);
        // Provisioning's own bookkeeping is not the tenant's data: its session may not rewrite it.
        for (String bookkeeping : List.of(MIGRATION_HISTORY, SHARED_MIGRATION_HISTORY, SEED_MARKER)) {
            try (PreparedStatement exists = s.getConnection().prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
                exists.setString(1, quoted + "." + Dialect.quote(bookkeeping));
                try (ResultSet rs = exists.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        s.execute("REVOKE ALL ON " + quoted + "." + Dialect.quote(bookkeeping) + " FROM " + app
                                + (reader == null ? "" : ", " + reader));
                    }
                }
            }
        }
    }

    /** A connection to {@code url} as the server's owner (its URLs carry what a transaction pooler needs). */
    Connection ownerConnection(String url) throws SQLException {
        return DriverManager.getConnection(url, server.ownerUsername(), server.ownerPassword());
    }

    private static boolean schemaExists(Connection c, String schema) throws SQLException {
        try (PreparedStatement s =
                c.prepareStatement("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?")) {
            s.setString(1, schema);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        }
    }

    private static boolean databaseExists(Connection c, String database) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM pg_database WHERE datname = ?")) {
            s.setString(1, database);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        }
    }
}
