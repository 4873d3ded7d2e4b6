package dev.tenancy.jdbc;

import dev.tenancy.TenantId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Row-level security for a shared-model table on PostgreSQL: every statement, hand-written ones
 * included, sees and writes only the rows whose tenant column equals the tenant {@link
 * TenantDataSource} bound to the session ({@code tenancy.tenant_id}).
 *
 * <pre>{@code
 * RowLevelSecurity.on("orders").tenantColumn("tenant_id").apply(ownerConnection);
 * }</pre>
 *
 * <p>{@link #apply(Connection)} enables and <em>forces</em> row-level security (so the table owner
 * is bound too) and (re)creates the policy {@value #POLICY}; it is idempotent. Row-level security
 * does not cover TRUNCATE, which empties the table for every tenant: the trigger {@value
 * #TRUNCATE_TRIGGER} refuses it while a tenant is bound (SQLSTATE 42501), and it runs as before
 * in a session with none (the system scope, an administrator's connection). The policy reads the
 * setting as {@code (select current_setting('tenancy.tenant_id', true))}, evaluated once per
 * statement rather than once per row, and a missing or empty setting matches no row: it fails
 * closed. A tenant column with no index leading with it makes every tenant's query scan the whole
 * table; that is refused unless {@link #allowUnindexed()} is called, which only logs a warning.
 *
 * <p>Row-level security does not bind superusers or roles with {@code BYPASSRLS}: the application
 * must connect as a role that is neither. A plain session setting is defence in depth against bugs,
 * not a boundary against SQL the application role may run: that role can call {@code set_config}
 * itself. {@link #signedBy} makes it one: the policy then accepts the setting only with an HMAC the
 * application's SQL cannot compute (see {@link BindingKey}).
 *
 * <p>Schema-per-tenant tables have no tenant column; {@link #onSchemaOf(TenantId)} closes a tenant's
 * schema to sessions bound to any other tenant instead (see {@link SchemaPolicy}).
 */
public final class RowLevelSecurity {
    /** The name of the policy this helper manages on each table. */
    public static final String POLICY = "tenancy_tenant_isolation";

    private static final Logger LOG = LoggerFactory.getLogger(RowLevelSecurity.class);
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}(\\.[a-z_][a-z0-9_]{0,62})?");

    private final String table;
    private final String tenantColumn;
    private final boolean allowUnindexed;
    private final BindingKey key;

    private RowLevelSecurity(String table, String tenantColumn, boolean allowUnindexed, BindingKey key) {
        this.table = table;
        this.tenantColumn = tenantColumn;
        this.allowUnindexed = allowUnindexed;
        this.key = key;
    }

    /** Row-level security for {@code table} (optionally schema-qualified, lowercase), tenant column {@code tenant_id}. */
    public static RowLevelSecurity on(String table) {
        return new RowLevelSecurity(requireName("table", table), "tenant_id", false, null);
    }

    /** The column holding the tenant id. */
    public RowLevelSecurity tenantColumn(String column) {
        String name = requireName("tenant column", column);
        if (name.contains(".")) {
            throw new IllegalArgumentException("Tenant column '" + column + "' must be a plain column name");
        }
        return new RowLevelSecurity(table, name, allowUnindexed, key);
    }

    /** Applies the policy even when no index leads with the tenant column, logging a warning. */
    public RowLevelSecurity allowUnindexed() {
        return new RowLevelSecurity(table, tenantColumn, true, key);
    }

    /**
     * Accepts the session's tenant only with a valid signature from {@code key} (see {@link
     * BindingKey}): {@link #apply} also installs the verifying functions {@value #FUNCTION}() and
     * {@value #WRITE_FUNCTION}() in the schema of the table ({@code public} when unqualified), in
     * {@code public} the functions {@code tenancy_bind} and {@code tenancy_session}, and in schema
     * {@value #BINDING_TABLES_SCHEMA}, closed to everyone but the caller, the key ({@value
     * #KEY_TABLE}), the per-process tokens ({@value #SESSIONS_TABLE}) and the recent nonces
     * ({@value #NONCES_TABLE}).
     * Give the same key to {@link TenantDataSource.Builder#signedBinding}.
     */
    public RowLevelSecurity signedBy(BindingKey key) {
        return new RowLevelSecurity(table, tenantColumn, allowUnindexed, Objects.requireNonNull(key, "key"));
    }

    /** The function a signed policy reads the tenant through. */
    public static final String FUNCTION = "tenancy_bound_tenant";

    /** The function a signed policy checks writes through: the tenant, unless its binding is read-only. */
    public static final String WRITE_FUNCTION = "tenancy_writable_tenant";

    /** The policy that keeps a signed read-only binding from deleting. */
    public static final String DELETE_POLICY = "tenancy_tenant_no_delete_when_read_only";

    /** The statement trigger that refuses TRUNCATE while a tenant is bound, and its function. */
    public static final String TRUNCATE_TRIGGER = "tenancy_no_truncate_as_tenant";

    /**
     * The schema holding the tables of signed bindings ({@value #KEY_TABLE}, {@value
     * #SESSIONS_TABLE}, {@value #NONCES_TABLE}), in every database where bindings are signed:
     * usable by its owner alone.
     */
    public static final String BINDING_TABLES_SCHEMA = "tenancy_binding";

    /** The table, readable only by its owner, holding the signing key's HMAC pads. */
    public static final String KEY_TABLE = "tenancy_binding_key";

    /** The table, readable only by its owner, holding each server process's current binding token. */
    public static final String SESSIONS_TABLE = "tenancy_binding_sessions";

    /** The table, readable only by its owner, holding the nonces of recent bindings (replays are refused). */
    public static final String NONCES_TABLE = "tenancy_binding_nonces";

    /**
     * Enables, forces and (re)creates the policy, as the table's owner.
     *
     * @throws SQLException when the table or column does not exist, the caller does not own the
     *     table, or the tenant column has no leading index (unless allowed)
     */
    public void apply(Connection owner) throws SQLException {
        Objects.requireNonNull(owner, "owner");
        if (!hasLeadingIndex(owner)) {
            String message = "Table " + table + " has no index leading with " + tenantColumn
                    + ": every tenant's query would scan all tenants' rows. Create one, e.g. CREATE INDEX ON "
                    + table + " (" + tenantColumn + ", ...)";
            if (!allowUnindexed) {
                throw new SQLException(message + ", or call allowUnindexed()", "42P17");
            }
            LOG.warn(message);
        }
        String quotedTable = quote(table);
        String column = Dialect.quote(tenantColumn);
        int dot = table.indexOf('.');
        String schema = Dialect.quote(dot < 0 ? "public" : table.substring(0, dot));
        String bound = key == null
                ? "(select current_setting('" + Dialect.TENANT_SETTING + "', true))"
                : "(select " + schema + "." + FUNCTION + "())";
        String writable = key == null ? bound : "(select " + schema + "." + WRITE_FUNCTION + "())";
        inSerializedTransaction(owner, key, null, s -> {
            if (key != null) {
                installSigned(owner, s, schema, key);
            }
            s.execute(truncateGuard(schema));
            return null;
        });
        inSerializedTransaction(owner, key, table, s -> {
            s.execute("ALTER TABLE " + quotedTable + " ENABLE ROW LEVEL SECURITY");
            s.execute("ALTER TABLE " + quotedTable + " FORCE ROW LEVEL SECURITY");
            createPolicies(s, quotedTable, column, bound, writable, key != null);
            s.execute("DROP TRIGGER IF EXISTS " + TRUNCATE_TRIGGER + " ON " + quotedTable);
            s.execute("CREATE TRIGGER " + TRUNCATE_TRIGGER + " BEFORE TRUNCATE ON " + quotedTable
                    + " FOR EACH STATEMENT EXECUTE FUNCTION " + schema + "." + TRUNCATE_TRIGGER + "()");
            return null;
        });
    }

    /**
     * (Re)creates the policy {@value #POLICY} on {@code quotedTable}, {@code subject} (the tenant
     * column, or a schema tenant's id) against the session's tenant, and for signed bindings {@value
     * #DELETE_POLICY}.
     */
    private static void createPolicies(
            Statement s, String quotedTable, String subject, String bound, String writable, boolean signed)
            throws SQLException {
        s.execute("DROP POLICY IF EXISTS " + POLICY + " ON " + quotedTable);
        s.execute("DROP POLICY IF EXISTS " + DELETE_POLICY + " ON " + quotedTable);
        s.execute("CREATE POLICY " + POLICY + " ON " + quotedTable + " USING (" + subject + " = " + bound
                + ") WITH CHECK (" + subject + " = " + writable + ")");
        if (signed) {
            s.execute("CREATE POLICY " + DELETE_POLICY + " ON " + quotedTable + " AS RESTRICTIVE FOR DELETE USING ("
                    + subject + " = " + writable + ")");
        }
    }

    /** What runs in {@link #inSerializedTransaction}. */
    @FunctionalInterface
    private interface Work<T> {
        T run(Statement s) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction on {@code owner}, holding a transaction-scoped advisory
     * lock: on {@code object} (a table or schema name), so that two applications to the same
     * tables take turns, or with {@code null} on the functions every policy shares, whose concurrent
     * replacement PostgreSQL fails ("tuple concurrently updated"). Applications to different
     * tables run in parallel, as a fleet migration needs; only the short function installation is
     * serialized. Rolls back on failure and restores the connection's auto-commit.
     *
     * <p>The lock's key is derived from {@code key} when there is one (a tenant's session cannot compute
     * it to take the lock first), and the lock is waited for at most {@value #LOCK_WAIT_SECONDS} s: a
     * session holding it longer fails the work with an error saying so, instead of stalling
     * provisioning.
     */
    private static <T> T inSerializedTransaction(Connection owner, BindingKey key, String object, Work<T> work)
            throws SQLException {
        boolean autoCommit = owner.getAutoCommit();
        owner.setAutoCommit(false);
        try (Statement s = owner.createStatement()) {
            s.execute("SET LOCAL lock_timeout = '" + LOCK_WAIT_SECONDS + "s'");
            try {
                if (key == null) {
                    // object is a validated lowercase SQL name (or a tenant's schema name): safe as a literal
                    s.execute("SELECT pg_advisory_xact_lock(" + LOCK_CLASS + ", "
                            + (object == null ? "0" : "hashtext('" + object + "')") + ")");
                } else {
                    s.execute("SELECT pg_advisory_xact_lock(" + key.lockKey(object == null ? "" : object) + ")");
                }
            } catch (SQLException e) {
                if ("55P03".equals(e.getSQLState())) {
                    throw new SQLException(
                            "Could not take the lock that serializes row-level security changes"
                                    + (object == null ? "" : " of " + object) + " within " + LOCK_WAIT_SECONDS
                                    + " s: another node is applying them, or a session holds the lock (a tenant's"
                                    + " session releases its advisory locks at every borrow); retry",
                            "55P03",
                            e);
                }
                throw e;
            }
            s.execute("SET LOCAL lock_timeout = DEFAULT"); // the work itself waits as the server says
            T result = work.run(s);
            owner.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            owner.rollback();
            throw e;
        } finally {
            owner.setAutoCommit(autoCommit);
        }
    }

    /**
     * Installs what signed bindings need, in {@value SessionBinder#BINDING_SCHEMA} (the key, the
     * per-process tokens, the nonces seen, and {@value SessionBinder#BIND_FUNCTION}), and the two
     * verifying functions in {@code schema}. Tables are owner-only, unlogged where they hold
     * per-process state (no WAL per borrow; emptied by a crash, when every session is gone too).
     */
    private static void installSigned(Connection owner, Statement s, String schema, BindingKey key)
            throws SQLException {
        String sessions = installBinding(owner, s, key, true);
        s.execute(verifier(schema, sessions, FUNCTION, "s.mode IN ('r', 'w')"));
        s.execute(verifier(schema, sessions, WRITE_FUNCTION, "s.mode = 'w'"));
    }

    /**
     * Installs what signed bindings need on {@code owner}'s database, unless there already: the key
     * table (with {@code key}, when it holds none), the tokens, the nonces and {@value
     * SessionBinder#BIND_FUNCTION}. A {@link TenantDataSource} with a key runs it as the server's
     * owner before its first signed binding there; it never replaces a key already installed (a
     * node with the wrong key then fails its bindings, loudly, instead of locking the others out).
     */
    static void installBinding(Connection owner, BindingKey key) throws SQLException {
        inSerializedTransaction(owner, key, null, s -> {
            if (key == null) {
                s.execute(SessionBinder.sessionFunction());
                return null;
            }
            return installBinding(owner, s, key, false);
        });
    }

    /**
     * The binding machinery in {@value SessionBinder#BINDING_SCHEMA}: the key (replaced when {@code
     * replaceKey}), the per-process tokens, the nonces seen, and {@value
     * SessionBinder#BIND_FUNCTION}. Tables are owner-only, unlogged where they hold per-process state
     * (no WAL per borrow; emptied by a crash, when every session is gone too). Returns the tokens'
     * table.
     */
    private static String installBinding(Connection owner, Statement s, BindingKey key, boolean replaceKey)
            throws SQLException {
        String home = Dialect.quote(SessionBinder.BINDING_SCHEMA);
        // The tables live in a schema of their own, closed to everyone but its owner: no grant on
        // "all tables in schema public" and no default privilege there can ever reach the key.
        String vault = Dialect.quote(BINDING_TABLES_SCHEMA);
        s.execute("CREATE SCHEMA IF NOT EXISTS " + vault);
        s.execute("REVOKE ALL ON SCHEMA " + vault + " FROM PUBLIC");
        String keys = vault + "." + KEY_TABLE;
        String sessions = vault + "." + SESSIONS_TABLE;
        String nonces = vault + "." + NONCES_TABLE;
        s.execute("CREATE TABLE IF NOT EXISTS " + keys + " (id SMALLINT PRIMARY KEY CHECK (id = 1),"
                + " inner_pad BYTEA NOT NULL, outer_pad BYTEA NOT NULL)");
        s.execute("CREATE UNLOGGED TABLE IF NOT EXISTS " + sessions + " (pid INT PRIMARY KEY, port INT NOT NULL,"
                + " tenant TEXT NOT NULL, mode TEXT NOT NULL, token TEXT NOT NULL)");
        s.execute("CREATE UNLOGGED TABLE IF NOT EXISTS " + nonces
                + " (nonce TEXT PRIMARY KEY, seen TIMESTAMPTZ NOT NULL)");
        for (String table : List.of(keys, sessions, nonces)) {
            s.execute("REVOKE ALL ON " + table + " FROM PUBLIC");
        }
        try (PreparedStatement p = owner.prepareStatement("INSERT INTO " + keys + " (id, inner_pad, outer_pad)"
                + " VALUES (1, ?, ?) ON CONFLICT (id) DO "
                + (replaceKey
                        ? "UPDATE SET inner_pad = EXCLUDED.inner_pad, outer_pad = EXCLUDED.outer_pad"
                        : "NOTHING"))) {
            p.setBytes(1, key.innerPad());
            p.setBytes(2, key.outerPad());
            p.executeUpdate();
        }
        // HMAC-SHA256 from the stored pads with the built-in sha256() (no extension needed), once
        // per binding. The functions run as their owner, who alone can read these tables; their
        // search path is fixed so a caller's objects cannot stand in for the built-ins.
        s.execute(binder(home, keys, sessions, nonces));
        s.execute(SessionBinder.sessionFunction());
        return sessions;
    }

    /**
     * Closes the schema of schema-per-tenant tenant {@code tenant} on PostgreSQL to sessions bound
     * to any other tenant (see {@link SchemaPolicy}).
     */
    public static SchemaPolicy onSchemaOf(TenantId tenant) {
        return new SchemaPolicy(Objects.requireNonNull(tenant, "tenant"), tenant.schemaName(), null);
    }

    /**
     * The same policy over the tables of a database-per-tenant tenant's own database (its {@code
     * public} schema), applied on a connection to that database. Its database already keeps other
     * tenants out; signed, the policy makes read-only hold there too: a binding recorded read-only
     * cannot write, whatever the session's SQL sets.
     */
    static SchemaPolicy onDatabaseOf(TenantId tenant) {
        return new SchemaPolicy(Objects.requireNonNull(tenant, "tenant"), "public", null);
    }

    /**
     * Row-level security over every table of one schema-per-tenant tenant's schema, on PostgreSQL:
     * a session that {@link TenantDataSource} bound to another tenant, or to none, sees no row of
     * these tables and cannot write one, even through SQL that names the schema explicitly ({@code
     * SELECT * FROM t_globex.orders} from acme's session, injected SQL for one). Without it, every
     * tenant schema on a server is open to the one role the application connects as, and only the
     * search path keeps tenants apart.
     *
     * <pre>{@code
     * // as the role that owns the tenant's tables, after its migrations:
     * RowLevelSecurity.onSchemaOf(acme).signedBy(key).apply(ownerConnection);
     * }</pre>
     *
     * <p>{@link #apply} enables row-level security on each table of the schema (partitioned tables
     * included) with the policy {@value RowLevelSecurity#POLICY}: the table's tenant must be the
     * session's. It does not <em>force</em> it, so the owner still runs migrations and data fixes
     * with no tenant bound: the application must connect as a role that does not own the tables
     * (and is neither a superuser nor {@code BYPASSRLS}), or the policy binds nothing. TRUNCATE, which
     * row-level security does not cover, is refused by the trigger {@value
     * RowLevelSecurity#SCHEMA_TRUNCATE_TRIGGER} while another tenant is bound (it reads the plain
     * setting: against injection, the guard is not granting TRUNCATE, which {@link
     * DatabaseServer#withOwner} does not). Tables created later
     * (the next migration) are covered once {@link #apply} runs again; it is idempotent. The
     * session's tenant is read once per statement (PostgreSQL's InitPlan), and each row costs one
     * comparison with a constant.
     *
     * <p>With {@link #signedBy}, the session's tenant counts only with a valid signature, as for
     * shared tables: the verifying functions and the key live in schema {@code public}, shared by
     * every tenant schema and every shared table there. Unsigned, the policy reads {@code
     * tenancy.tenant_id}, which the application's own SQL can change: defence against mistakes, not
     * against injection.
     */
    public static final class SchemaPolicy {
        private final TenantId tenant;
        private final String schema;
        private final BindingKey key;

        private SchemaPolicy(TenantId tenant, String schema, BindingKey key) {
            this.tenant = tenant;
            this.schema = schema;
            this.key = key;
        }

        /** Accepts the session's tenant only with a valid signature from {@code key} (see {@link BindingKey}). */
        public SchemaPolicy signedBy(BindingKey key) {
            return new SchemaPolicy(tenant, schema, Objects.requireNonNull(key, "key"));
        }

        /**
         * Enables row-level security with the tenant's policy on every table of its schema, as their
         * owner; the tables it covered, in name order.
         *
         * @throws SQLException when the schema does not exist (provision the tenant first) or the
         *     caller does not own one of its tables; no table is changed then
         */
        public List<String> apply(Connection owner) throws SQLException {
            Objects.requireNonNull(owner, "owner");
            String schema = this.schema;
            String platform = Dialect.quote("public");
            String own = "'" + tenant.value() + "'"; // a validated id: lowercase letters, digits, '-'
            String bound = key == null
                    ? "(select current_setting('" + Dialect.TENANT_SETTING + "', true))"
                    : "(select " + platform + "." + FUNCTION + "())";
            String writable = key == null ? bound : "(select " + platform + "." + WRITE_FUNCTION + "())";
            List<String> found = tablesOf(owner, schema); // refuses a missing schema before any change
            inSerializedTransaction(owner, key, null, s -> {
                if (key != null) {
                    installSigned(owner, s, platform, key);
                }
                s.execute(schemaTruncateGuard(platform));
                return null;
            });
            List<String> tables = inSerializedTransaction(owner, key, schema, s -> {
                for (String table : found) {
                    String quoted = Dialect.quote(schema) + "." + Dialect.quote(table);
                    s.execute("ALTER TABLE " + quoted + " ENABLE ROW LEVEL SECURITY");
                    createPolicies(s, quoted, own, bound, writable, key != null);
                    s.execute("DROP TRIGGER IF EXISTS " + SCHEMA_TRUNCATE_TRIGGER + " ON " + quoted);
                    s.execute("CREATE TRIGGER " + SCHEMA_TRUNCATE_TRIGGER + " BEFORE TRUNCATE ON " + quoted
                            + " FOR EACH STATEMENT EXECUTE FUNCTION " + platform + "." + SCHEMA_TRUNCATE_TRIGGER
                            + "(" + own + ")");
                }
                return found;
            });
            LOG.info(
                    "Row-level security keeps {} to tenant '{}' ({} tables{})",
                    schema,
                    tenant.value(),
                    tables.size(),
                    key == null ? "" : ", signed bindings");
            return tables;
        }

        private List<String> tablesOf(Connection c, String schema) throws SQLException {
            try (PreparedStatement p = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname"
                    + " = ?), c.relname FROM (SELECT 1) one LEFT JOIN (pg_class c JOIN pg_namespace n ON n.oid ="
                    + " c.relnamespace AND n.nspname = ?) ON c.relkind IN ('r', 'p') ORDER BY c.relname")) {
                p.setString(1, schema);
                p.setString(2, schema);
                List<String> tables = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        if (!rs.getBoolean(1)) {
                            throw new SQLException(
                                    "Schema " + schema + " of tenant '" + tenant.value()
                                            + "' does not exist: provision the tenant (TenantProvisioner) before"
                                            + " applying its row-level security",
                                    "3F000");
                        }
                        if (rs.getString(2) != null) {
                            tables.add(rs.getString(2));
                        }
                    }
                }
                return tables;
            }
        }

        @Override
        public String toString() {
            return "RowLevelSecurity.SchemaPolicy[" + schema + (key == null ? "" : ", signed") + "]";
        }
    }

    /** How long row-level security changes wait for their lock. */
    private static final int LOCK_WAIT_SECONDS = 30;

    /** The first key of the advisory locks row-level security is applied under ("tena"), without a binding key. */
    private static final int LOCK_CLASS = 0x74656e61;

    /** The statement trigger that refuses TRUNCATE of a tenant schema's table while another tenant is bound. */
    public static final String SCHEMA_TRUNCATE_TRIGGER = "tenancy_no_truncate_as_other_tenant";

    /**
     * The trigger function refusing TRUNCATE of a schema tenant's table (its id the trigger's
     * argument) in a session bound to another tenant.
     */
    private static String schemaTruncateGuard(String schema) {
        return "CREATE OR REPLACE FUNCTION " + schema + "." + SCHEMA_TRUNCATE_TRIGGER + "() RETURNS trigger"
                + " LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $fn$"
                + " DECLARE"
                + "   tenant text := nullif(current_setting('" + Dialect.TENANT_SETTING + "', true), '');"
                + " BEGIN"
                + "   IF tenant IS NOT NULL AND tenant <> TG_ARGV[0] THEN"
                + "     RAISE EXCEPTION USING ERRCODE = '42501',"
                + "       MESSAGE = format('TRUNCATE %I.%I, a table of tenant %L, in a session bound to tenant %L',"
                + " TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0], tenant),"
                + "       HINT = 'A tenant''s session reaches only its own schema';"
                + "   END IF;"
                + "   RETURN NULL;"
                + " END $fn$";
    }

    /** The trigger function refusing TRUNCATE in a session whose tenant setting is not empty. */
    private static String truncateGuard(String schema) {
        return "CREATE OR REPLACE FUNCTION " + schema + "." + TRUNCATE_TRIGGER + "() RETURNS trigger"
                + " LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $fn$"
                + " DECLARE"
                + "   tenant text := nullif(current_setting('" + Dialect.TENANT_SETTING + "', true), '');"
                + " BEGIN"
                + "   IF tenant IS NOT NULL THEN"
                + "     RAISE EXCEPTION USING ERRCODE = '42501',"
                + "       MESSAGE = format('TRUNCATE %I.%I in a session bound to tenant %L would remove the rows"
                + " of every tenant', TG_TABLE_SCHEMA, TG_TABLE_NAME, tenant),"
                + "       HINT = 'Delete the tenant''s rows with DELETE (row-level security scopes it), or"
                + " truncate in a session with no tenant bound';"
                + "   END IF;"
                + "   RETURN NULL;"
                + " END $fn$";
    }

    /**
     * {@value SessionBinder#BIND_FUNCTION}(tenant, mode, issued, nonce, signature, local): verifies
     * the signature (see {@link BindingKey}), refuses one issued more than a minute from the
     * database's clock or a nonce seen before, then records a fresh random token for this server
     * process (and its client port, so a later process that reuses the id does not match) and sets
     * the tenant and the token for the session, or for the transaction when {@code local}.
     */
    private static String binder(String home, String keys, String sessions, String nonces) {
        return "CREATE OR REPLACE FUNCTION " + home + "." + SessionBinder.BIND_FUNCTION
                + "(p_tenant text, p_mode text, p_issued bigint, p_nonce text, p_signature text, p_local boolean)"
                + " RETURNS boolean LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp"
                + " AS $fn$"
                + " DECLARE"
                + "   v_valid boolean;"
                + "   v_skew double precision;"
                + "   v_token text;"
                + " BEGIN"
                + "   SELECT p_signature = encode(sha256(k.outer_pad || sha256(k.inner_pad || convert_to("
                + "       p_tenant || ':' || p_mode || ':' || p_issued || ':' || p_nonce, 'UTF8'))), 'hex')"
                + "     INTO v_valid FROM " + keys + " k WHERE k.id = 1;"
                + "   IF v_valid IS NOT TRUE OR p_mode NOT IN ('r', 'w') THEN"
                + "     RAISE EXCEPTION USING ERRCODE = '28000',"
                + "       MESSAGE = format('tenancy_bind: the binding of tenant %L does not verify', p_tenant),"
                + "       HINT = 'Give TenantDataSource.Builder.signedBinding the key RowLevelSecurity.signedBy installed';"
                + "   END IF;"
                + "   v_skew := abs(extract(epoch FROM clock_timestamp()) * 1000 - p_issued);"
                + "   IF v_skew > 60000 THEN"
                + "     RAISE EXCEPTION USING ERRCODE = '28000',"
                + "       MESSAGE = format('tenancy_bind: the binding was signed %s ms away from the database''s clock"
                + " (at most 60000)', round(v_skew)),"
                + "       HINT = 'Synchronise the clocks of the application nodes and the database (NTP)';"
                + "   END IF;"
                + "   INSERT INTO " + nonces + " (nonce, seen) VALUES (p_nonce, clock_timestamp())"
                + "     ON CONFLICT (nonce) DO NOTHING;"
                + "   IF NOT FOUND THEN"
                + "     RAISE EXCEPTION USING ERRCODE = '28000',"
                + "       MESSAGE = 'tenancy_bind: this binding was presented before (a replay)';"
                + "   END IF;"
                + "   IF random() < 0.01 THEN"
                + "     DELETE FROM " + nonces + " WHERE seen < clock_timestamp() - interval '3 minutes';"
                + "   END IF;"
                + "   v_token := gen_random_uuid()::text;"
                + "   INSERT INTO " + sessions + " AS s (pid, port, tenant, mode, token)"
                + "     VALUES (pg_backend_pid(), coalesce(inet_client_port(), -1), p_tenant, p_mode, v_token)"
                + "     ON CONFLICT (pid) DO UPDATE SET port = EXCLUDED.port, tenant = EXCLUDED.tenant,"
                + "       mode = EXCLUDED.mode, token = EXCLUDED.token;"
                + "   PERFORM set_config('" + Dialect.TENANT_SETTING + "', p_tenant, p_local);"
                + "   PERFORM set_config('" + Dialect.SIGNATURE_SETTING + "', v_token, p_local);"
                + "   RETURN true;"
                + " END $fn$";
    }

    /**
     * A function returning the bound tenant when the session's token is the one recorded for its
     * server process and the recorded mode satisfies {@code modes}.
     */
    private static String verifier(String schema, String sessions, String name, String modes) {
        return "CREATE OR REPLACE FUNCTION " + schema + "." + name + "() RETURNS text"
                + " LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$"
                + " DECLARE"
                + "   v_tenant text := nullif(current_setting('" + Dialect.TENANT_SETTING + "', true), '');"
                + "   v_token text := nullif(current_setting('" + Dialect.SIGNATURE_SETTING + "', true), '');"
                + "   v_valid boolean;"
                + " BEGIN"
                + "   IF v_tenant IS NULL OR v_token IS NULL THEN RETURN NULL; END IF;"
                + "   SELECT true INTO v_valid FROM " + sessions + " s"
                + "     WHERE s.pid = pg_backend_pid() AND s.port = coalesce(inet_client_port(), -1)"
                + "       AND s.token = v_token AND s.tenant = v_tenant AND " + modes + ";"
                + "   RETURN CASE WHEN v_valid THEN v_tenant END;"
                + " END $fn$";
    }

    private boolean hasLeadingIndex(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL,"
                + " EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a"
                + " ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
                + " WHERE i.indrelid = to_regclass(?) AND a.attname = ?)")) {
            s.setString(1, quote(table));
            s.setString(2, quote(table));
            s.setString(3, tenantColumn);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new SQLException(
                            "Table " + table + " does not exist (as seen by the connection's search path)", "42P01");
                }
                return rs.getBoolean(2);
            }
        }
    }

    private static String quote(String qualified) {
        int dot = qualified.indexOf('.');
        return dot < 0
                ? Dialect.quote(qualified)
                : Dialect.quote(qualified.substring(0, dot)) + "." + Dialect.quote(qualified.substring(dot + 1));
    }

    private static String requireName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Invalid " + what + " '" + name
                    + "': use a lowercase SQL name (letters, digits, '_'), optionally schema-qualified");
        }
        return name;
    }
}
