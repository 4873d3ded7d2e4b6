package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.jdbc.BindingKey;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.RowLevelSecurity;
import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.provision.TenantProvisioner;
import dev.tenancy.provision.TenantSeed;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A pooled session is hostile ground, on PostgreSQL: a pool of one connection, so every borrow gets
 * the server process its previous borrower used, whatever that borrower left in it. Attacks by
 * class: transactions left open or aborted, temporary objects, every kind of setting and role,
 * cursors, listeners, advisory locks, SQL-level prepared statements, a binding changed where the
 * library cannot see it, and signatures or tokens replayed on the same process, on another, and on
 * a process that reuses the id. The deployment is the README's recommended one: an owner role, an
 * application role that owns nothing, signed bindings and signed policies. Acme and globex share
 * tables; initech and hooli have schemas of their own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PooledSessionAttackTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final BindingKey KEY = BindingKey.of(SECRET);
    private static final Actor ADMIN = Actor.system("test");
    private static final TenantSeed SEED = (tenant, c) -> {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO notes (tenant_id, id, body) VALUES (?, 0, ?)")) {
            s.setString(1, tenant.id().value());
            s.setString(2, tenant.id().value() + " secret");
            s.executeUpdate();
        }
    };

    private final String suffix = UUID.randomUUID().toString().substring(0, 6);
    private final TenantId acme = TenantId.of("acme-" + suffix);
    private final TenantId globex = TenantId.of("globex-" + suffix);
    private final TenantId initech = TenantId.of("initech-" + suffix);
    private final TenantId hooli = TenantId.of("hooli-" + suffix);
    private final TenantId archived = TenantId.of("archived-" + suffix);
    private final TenantId vault = TenantId.of("vault-" + suffix);
    private TestDatabase database;
    private String role;
    private String reader;
    private TenantCatalog catalog;
    private TenantDataSource dataSource;

    @BeforeAll
    void setUp() throws Exception {
        database = TestDatabase.postgres();
        role = database.applicationRole();
        database.execute("CREATE TABLE notes (tenant_id VARCHAR(48) NOT NULL, id INT NOT NULL,"
                + " body VARCHAR(200) NOT NULL, PRIMARY KEY (tenant_id, id))");
        database.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON notes TO " + role);
        reader = database.applicationRole();
        database.execute("GRANT SELECT ON notes TO " + reader);
        database.execute("CREATE SEQUENCE counter");
        database.execute("GRANT USAGE, SELECT ON SEQUENCE counter TO " + role);
        database.execute("GRANT SELECT ON SEQUENCE counter TO " + reader);
        database.execute("CREATE ROLE " + role + "_other NOLOGIN NOSUPERUSER NOBYPASSRLS");
        database.execute("GRANT " + role + "_other TO " + role);
        try (Connection owner = database.dataSource().getConnection()) {
            RowLevelSecurity.on("notes").signedBy(KEY).apply(owner);
        }
        catalog = TenantCatalog.inMemory(AuditLog.inMemory());
        dataSource = dataSource(1);
        TenantProvisioner provisioner = TenantProvisioner.builder()
                .catalog(catalog)
                .dataSource(dataSource)
                .platform(database.dataSource())
                .migrations("classpath:dev/tenancy/testkit/tenant/v1")
                .seed(SEED)
                .build();
        database.dropOnClose(vault.databaseName());
        for (TenantId id : List.of(acme, globex, initech, hooli, archived, vault)) {
            IsolationModel model = id == initech || id == hooli
                    ? IsolationModel.SCHEMA
                    : id == vault ? IsolationModel.DATABASE : IsolationModel.SHARED;
            catalog.register(
                    TenantRegistration.builder(id, id.value()).isolation(model).build(), ADMIN);
            provisioner.provision(id, ADMIN);
        }
        database.executeIn(vault.databaseName(), "CREATE SEQUENCE counter"); // granted by default privileges
        catalog.transition(archived, dev.tenancy.TenantStatus.ARCHIVED, ADMIN, "closed");
        catalog.transition(vault, dev.tenancy.TenantStatus.ARCHIVED, ADMIN, "closed");
    }

    private TenantDataSource dataSource(int poolSize) {
        return TenantDataSource.builder()
                .catalog(catalog)
                .server(DatabaseServer.of("default", database.jdbcUrl(), role, "")
                        .withOwner(database.user(), database.password())
                        .withReadOnlyUser(reader, "")
                        .withDatabaseUrlTemplate(database.databaseUrlTemplate())
                        .withMaximumPoolSize(poolSize)
                        .withTenantPoolSize(poolSize))
                .signedBinding(KEY)
                .build();
    }

    @AfterAll
    void tearDown() {
        if (dataSource != null) {
            dataSource.close();
        }
        if (database != null) {
            database.execute("DROP ROLE IF EXISTS " + role + "_other");
            database.close();
        }
    }

    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private List<String> rows(TenantId tenant, String sql) throws SQLException {
        return as(tenant, c -> column(c, sql));
    }

    private String value(TenantId tenant, String sql) throws SQLException {
        return as(tenant, c -> one(c, sql));
    }

    private <T> T as(TenantId tenant, Work<T> work) throws SQLException {
        return as(dataSource, tenant, work);
    }

    private static <T> T as(TenantDataSource data, TenantId tenant, Work<T> work) throws SQLException {
        return TenantContext.where(tenant).call(() -> {
            try (Connection c = data.getConnection()) {
                return work.run(c);
            }
        });
    }

    private static Void exec(Connection c, String... sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String each : sql) {
                s.execute(each);
            }
        }
        return null;
    }

    private static List<String> column(Connection c, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    private static String one(Connection c, String sql) throws SQLException {
        return column(c, sql).getFirst();
    }

    /** The tenants whose rows {@code tenant}'s plain {@code SELECT ... FROM notes} returns. */
    private List<String> owners(TenantId tenant) throws SQLException {
        return as(tenant, c -> column(c, "SELECT DISTINCT tenant_id FROM notes ORDER BY 1"));
    }

    // ---------------------------------------------------------------------------------------------
    // Transactions

    @ParameterizedTest
    @ValueSource(strings = {"shared", "schema"})
    void aTransactionLeftOpen_isRolledBackBeforeTheNextTenant_andItsRollbackCannotRestoreTheOldBinding(String model)
            throws SQLException {
        TenantId a = model.equals("shared") ? acme : initech;
        TenantId b = model.equals("shared") ? globex : hooli;
        as(
                a,
                c -> exec(
                        c,
                        "BEGIN",
                        "INSERT INTO notes (tenant_id, id, body) VALUES ('" + a + "', 901, 'uncommitted')"));
        as(b, c -> {
            c.setAutoCommit(false);
            exec(c, "INSERT INTO notes (tenant_id, id, body) VALUES ('" + b + "', 901, 'rolled back')");
            c.rollback();
            assertThat(column(c, "SELECT DISTINCT tenant_id FROM notes")).containsExactly(b.value());
            c.setAutoCommit(true);
            exec(c, "INSERT INTO notes (tenant_id, id, body) VALUES ('" + b + "', 902, 'committed')");
            return null;
        });
        assertThat(owners(a)).containsExactly(a.value());
        assertThat(rows(a, "SELECT body FROM notes WHERE id >= 900")).isEmpty();
        assertThat(rows(b, "SELECT body FROM notes WHERE id >= 900")).containsExactly("committed");
        as(b, c -> exec(c, "DELETE FROM notes WHERE id >= 900"));
    }

    @Test
    void anAbortedTransaction_isHealed_notHandedOn() throws SQLException {
        as(acme, c -> {
            exec(c, "BEGIN");
            assertThatThrownBy(() -> exec(c, "SELECT 1/0")).isInstanceOf(SQLException.class);
            return null;
        });
        assertThat(owners(globex)).containsExactly(globex.value());
        assertThat(owners(acme)).containsExactly(acme.value());
    }

    // ---------------------------------------------------------------------------------------------
    // Temporary objects

    @Test
    void aTemporaryViewShadowingATable_isGoneBeforeTheNextBorrower_andCapturesNothing() throws SQLException {
        as(
                acme,
                c -> exec(
                        c,
                        "CREATE TEMP TABLE loot (body text)",
                        "CREATE FUNCTION pg_temp.grab(t text) RETURNS boolean LANGUAGE plpgsql AS"
                                + " $$ BEGIN INSERT INTO pg_temp.loot VALUES (t); RETURN true; END $$",
                        "CREATE TEMP VIEW notes AS SELECT n.* FROM public.notes n WHERE pg_temp.grab(n.body)"));
        assertThat(rows(globex, "SELECT body FROM notes")).containsExactly(globex + " secret");
        assertThat(value(globex, "SELECT to_regclass('pg_temp.loot')::text")).isNull();
        assertThat(value(acme, "SELECT to_regclass('pg_temp.loot')::text")).isNull();
    }

    @Test
    void aTemporaryTableNamedLikeATenantTable_neverShadowsIt() throws SQLException {
        as(
                initech,
                c -> exec(
                        c,
                        "CREATE TEMP TABLE notes (tenant_id VARCHAR(48), id INT, body VARCHAR(200))",
                        "INSERT INTO pg_temp.notes VALUES ('" + initech + "', 7, 'planted')"));
        assertThat(rows(hooli, "SELECT body FROM notes")).containsExactly(hooli + " secret");
        // within one borrow, too: pg_temp is searched after the tenant's schema
        assertThat(this.<List<String>>as(initech, c -> {
                    exec(c, "CREATE TEMP TABLE notes (tenant_id VARCHAR(48), id INT, body VARCHAR(200))");
                    return column(c, "SELECT body FROM notes");
                }))
                .containsExactly(initech + " secret");
    }

    // ---------------------------------------------------------------------------------------------
    // Settings and roles

    @Test
    void everySettingAndRole_isResetBeforeTheNextBorrower() throws SQLException {
        String defaults = as(
                globex,
                c -> one(
                        c,
                        "SELECT current_user || ',' || current_setting('row_security') || ','"
                                + " || current_setting('statement_timeout') || ',' || current_setting('work_mem') || ','"
                                + " || current_setting('search_path') || ',' || current_setting('default_transaction_read_only')"
                                + " || ',' || current_setting('TimeZone') || ',' || current_setting('application_name')"));
        as(
                acme,
                c -> exec(
                        c,
                        "SET ROLE " + role + "_other",
                        "SET row_security = off",
                        "SET work_mem = '64kB'",
                        "SET search_path = pg_catalog",
                        "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
                        "SET TIME ZONE 'Pacific/Kiritimati'",
                        "SET application_name = 'poisoned'",
                        "SET statement_timeout = 1"));
        assertThat(
                        this.<String>as(
                                globex,
                                c -> one(
                                        c,
                                        "SELECT current_user || ',' || current_setting('row_security') || ','"
                                                + " || current_setting('statement_timeout') || ',' || current_setting('work_mem') || ','"
                                                + " || current_setting('search_path') || ','"
                                                + " || current_setting('default_transaction_read_only') || ','"
                                                + " || current_setting('TimeZone') || ',' || current_setting('application_name')")))
                .isEqualTo(defaults);
        assertThat(owners(globex)).containsExactly(globex.value());
    }

    /**
     * Any role may change its own defaults, which {@code RESET ALL} restores rather than clears:
     * a tenant switching row security off for the shared role must not break, or open, the
     * policies of every new connection.
     */
    @Test
    void aRoleDefaultTurningRowSecurityOff_neverReachesABoundSession() throws SQLException {
        as(acme, c -> exec(c, "ALTER ROLE CURRENT_USER SET row_security = off"));
        try (TenantDataSource fresh = dataSource(1)) {
            List<String> owners = as(fresh, globex, c -> column(c, "SELECT DISTINCT tenant_id FROM notes"));
            assertThat(owners).containsExactly(globex.value());
            String rowSecurity = as(fresh, initech, c -> one(c, "SELECT current_setting('row_security')"));
            assertThat(rowSecurity).isEqualTo("on");
        } finally {
            database.execute("ALTER ROLE " + role + " RESET row_security");
        }
    }

    /** Changes the text check never saw: a Unicode-escaped name, a DO block, a function. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "SELECT U&\"set\\005fconfig\"('tenancy.tenant_id', '%s', false)",
                "DO $$ BEGIN PERFORM set_config('tenancy.tenant_id', '%s', false); END $$",
                "CREATE FUNCTION pg_temp.f() RETURNS text LANGUAGE sql AS"
                        + " $$ SELECT set_config('tenancy.tenant_id', '%s', false) $$; SELECT pg_temp.f()"
            })
    void aBindingChangedOutOfSight_doesNotOutliveTheBorrow(String change) throws SQLException {
        as(acme, c -> exec(c, change.formatted(globex.value())));
        assertThat(value(acme, "SELECT current_setting('tenancy.tenant_id')")).isEqualTo(acme.value());
        assertThat(owners(acme)).containsExactly(acme.value());
    }

    // ---------------------------------------------------------------------------------------------
    // Cursors, listeners, locks, prepared statements

    @Test
    void cursorsListenersAdvisoryLocksAndPreparedStatements_doNotOutliveTheBorrow() throws SQLException {
        int pid = Integer.parseInt(as(acme, c -> {
            exec(
                    c,
                    "DECLARE kept CURSOR WITH HOLD FOR SELECT body FROM notes",
                    "LISTEN tenancy_attack",
                    "SELECT pg_advisory_lock(4242)",
                    "PREPARE hijack AS SELECT body FROM notes");
            return one(c, "SELECT pg_backend_pid()::text");
        }));
        as(globex, c -> {
            assertThat(one(c, "SELECT pg_backend_pid()::text")).isEqualTo(String.valueOf(pid));
            assertThat(one(c, "SELECT count(*)::text FROM pg_cursors WHERE name <> ''"))
                    .isEqualTo("0");
            assertThat(column(c, "SELECT pg_listening_channels()")).isEmpty();
            assertThat(one(c, "SELECT count(*)::text FROM pg_locks WHERE locktype = 'advisory' AND pid = " + pid))
                    .isEqualTo("0");
            assertThat(one(c, "SELECT count(*)::text FROM pg_prepared_statements WHERE from_sql"))
                    .isEqualTo("0");
            return null;
        });
    }

    @Test
    void preparedStatementsOfTheDriver_surviveTheReset_andStillAnswerForTheCurrentTenant() throws SQLException {
        String sql = "SELECT body FROM notes WHERE id = ?";
        for (int round = 0; round < 8; round++) { // past pgJDBC's prepareThreshold: server-prepared
            for (TenantId tenant : List.of(acme, initech, globex, hooli)) {
                assertThat(this.<List<String>>as(tenant, c -> {
                            try (PreparedStatement p = c.prepareStatement(sql)) {
                                p.setInt(1, 0);
                                try (ResultSet rs = p.executeQuery()) {
                                    List<String> bodies = new ArrayList<>();
                                    while (rs.next()) {
                                        bodies.add(rs.getString(1));
                                    }
                                    return bodies;
                                }
                            }
                        }))
                        .containsExactly(tenant + " secret");
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Replay

    @Test
    void aTokenCapturedInsideTheVictimsSession_doesNotVerifyOnTheSameProcessLater() throws SQLException {
        List<String> captured = as(
                globex,
                c -> List.of(
                        one(c, "SELECT current_setting('tenancy.binding')"), one(c, "SELECT pg_backend_pid()::text")));
        as(acme, c -> {
            assertThat(one(c, "SELECT pg_backend_pid()::text")).isEqualTo(captured.get(1));
            exec(
                    c,
                    "SELECT set_config('tenancy.tenant_id', '" + globex + "', false), set_config('tenancy.binding', '"
                            + captured.getFirst() + "', false)");
            assertThat(column(c, "SELECT body FROM notes")).isEmpty();
            assertThatThrownBy(() -> exec(c, "INSERT INTO notes VALUES ('" + globex + "', 77, 'planted')"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("row-level security");
            return null;
        });
    }

    @Test
    void aTokenCapturedOnOneProcess_doesNotVerifyOnAnother() throws SQLException {
        String token = as(globex, c -> one(c, "SELECT current_setting('tenancy.binding')"));
        try (TenantDataSource second = dataSource(1)) {
            as(second, acme, c -> {
                exec(
                        c,
                        "SELECT set_config('tenancy.tenant_id', '" + globex + "', false),"
                                + " set_config('tenancy.binding', '" + token + "', false)");
                assertThat(column(c, "SELECT body FROM notes")).isEmpty();
                return null;
            });
        }
    }

    @Test
    void aTokenRecordedForAProcessId_doesNotVerifyOnANewProcessThatReusesTheId() throws SQLException {
        String token = as(globex, c -> one(c, "SELECT current_setting('tenancy.binding')"));
        try (Connection raw = DriverManager.getConnection(database.jdbcUrl(), role, "");
                Statement s = raw.createStatement()) {
            // The operating system gives a new process an old id: move the record onto this
            // process's id, as if it had been made for an earlier process with the same id.
            int pid = Integer.parseInt(one(raw, "SELECT pg_backend_pid()::text"));
            database.execute("DELETE FROM " + RowLevelSecurity.BINDING_TABLES_SCHEMA + "."
                    + RowLevelSecurity.SESSIONS_TABLE + " WHERE pid = " + pid);
            database.execute("UPDATE " + RowLevelSecurity.BINDING_TABLES_SCHEMA + "." + RowLevelSecurity.SESSIONS_TABLE
                    + " SET pid = " + pid + ", port = port + 1 WHERE token = '" + token + "'");
            s.execute("SELECT set_config('tenancy.tenant_id', '" + globex + "', false),"
                    + " set_config('tenancy.binding', '" + token + "', false)");
            assertThat(column(raw, "SELECT body FROM notes")).isEmpty();
        }
    }

    /** The key, the tokens and the nonces, in the platform's database and in a tenant's own. */
    @Test
    void theBindingsTables_areClosedToEveryTenant_inEveryDatabase() throws SQLException {
        for (TenantId tenant : List.of(acme, initech, vault)) {
            for (String table : List.of(
                    RowLevelSecurity.KEY_TABLE, RowLevelSecurity.SESSIONS_TABLE, RowLevelSecurity.NONCES_TABLE)) {
                String qualified = RowLevelSecurity.BINDING_TABLES_SCHEMA + "." + table;
                assertThatThrownBy(() -> as(tenant, c -> column(c, "SELECT * FROM " + qualified)))
                        .as(tenant + " reading " + qualified)
                        .isInstanceOfSatisfying(
                                SQLException.class,
                                e -> assertThat(e.getSQLState()).isEqualTo("42501"));
            }
        }
    }

    @Test
    void theBindingNeverAppearsWhereAnotherSessionCanReadIt() throws SQLException {
        String token = as(globex, c -> one(c, "SELECT current_setting('tenancy.binding')"));
        // the victim's borrow ran nothing after its binding: its last query is the binding itself
        as(globex, c -> null);
        List<String> seen = as(acme, c -> {
            try (TenantDataSource second = dataSource(1)) {
                return as(
                        second,
                        acme,
                        d -> column(
                                d, "SELECT coalesce(query, '') FROM pg_stat_activity WHERE usename = current_user"));
            }
        });
        assertThat(seen)
                .isNotEmpty()
                .noneMatch(q -> q.contains(token))
                .noneMatch(q -> q.matches("(?s).*[0-9a-f]{64}.*"));
    }

    @Test
    void aBindCallWithAForgedOrReplayedOrStaleSignature_isRefused() throws SQLException {
        try (Connection raw = DriverManager.getConnection(database.jdbcUrl(), role, "")) {
            long now = System.currentTimeMillis();
            String nonce = UUID.randomUUID().toString();
            String valid = sign(globex.value() + ":w:" + now + ":" + nonce);
            assertThatThrownBy(() -> bind(raw, globex.value(), now, nonce, "0".repeat(64)))
                    .hasMessageContaining("does not verify");
            bind(raw, globex.value(), now, nonce, valid); // what the library sends: verifies once
            assertThat(column(raw, "SELECT body FROM notes")).containsExactly(globex + " secret");
            assertThatThrownBy(() -> bind(raw, globex.value(), now, nonce, valid))
                    .hasMessageContaining("replay");
            long old = now - 120_000;
            assertThatThrownBy(() -> bind(raw, globex.value(), old, "n2", sign(globex.value() + ":w:" + old + ":n2")))
                    .hasMessageContaining("away from the database's clock");
        }
    }

    private static void bind(Connection c, String tenant, long issued, String nonce, String signature)
            throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT public.tenancy_bind(?, 'w', ?, ?, ?, false)")) {
            p.setString(1, tenant);
            p.setLong(2, issued);
            p.setString(3, nonce);
            p.setString(4, signature);
            p.execute();
        }
    }

    private static String sign(String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Read-only and eviction

    @ParameterizedTest
    @ValueSource(
            strings = {
                "SET default_transaction_read_only = off",
                "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
                "BEGIN READ WRITE"
            })
    void readOnlyCannotBeSwitchedOffBySql(String change) throws SQLException {
        for (TenantId tenant : List.of(archived, vault)) { // shared, and a database of its own
            for (String write : List.of(
                    "INSERT INTO notes VALUES ('" + tenant + "', 5, 'written')",
                    "UPDATE notes SET body = 'changed'",
                    "DELETE FROM notes")) {
                as(tenant, c -> {
                    exec(c, change);
                    attempt(c, write);
                    if (change.startsWith("BEGIN")) {
                        exec(c, "ROLLBACK");
                    }
                    return null;
                });
            }
            assertThat(rows(tenant, "SELECT body FROM notes")).containsExactly(tenant + " secret");
        }
        TenantContext.where(globex).readOnly().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                exec(c, change);
                attempt(c, "INSERT INTO notes VALUES ('" + globex + "', 5, 'written')");
                attempt(c, "DELETE FROM notes");
            }
            return null;
        });
        assertThat(rows(globex, "SELECT body FROM notes")).containsExactly(globex + " secret");
    }

    /**
     * What row-level security does not cover: a sequence. Read-only work connects as a role with
     * read privileges only, so no setting the session changes lets it advance one.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "SET default_transaction_read_only = off",
                "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
                "BEGIN READ WRITE"
            })
    void readOnlyCannotAdvanceASequence_whateverTheSessionSets(String change) throws SQLException {
        for (TenantId tenant : List.of(archived, vault)) {
            as(tenant, c -> {
                exec(c, change);
                assertThat(one(c, "SELECT current_user")).isEqualTo(reader);
                assertThatThrownBy(() -> exec(c, "SELECT nextval('counter')"))
                        .as(tenant + " after " + change)
                        .isInstanceOfSatisfying(
                                SQLException.class,
                                e -> assertThat(e.getSQLState()).isEqualTo("42501"));
                return null;
            });
        }
        TenantContext.where(globex).readOnly().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                exec(c, change);
                assertThatThrownBy(() -> exec(c, "SELECT nextval('counter')")).isInstanceOf(SQLException.class);
            }
            return null;
        });
        assertThat(value(acme, "SELECT nextval('counter')::text"))
                .as("a writable tenant still can")
                .isNotNull();
    }

    /** Runs a write that must change nothing: refused, or no row. */
    private static void attempt(Connection c, String sql) {
        try (Statement s = c.createStatement()) {
            assertThat(s.executeUpdate(sql)).as(sql).isZero();
        } catch (SQLException refused) {
            // refused by the database: what read-only means
        }
    }

    @Test
    void aSessionThatCannotBeReset_isEvicted_andTheBorrowerGetsAFreshOne() throws SQLException {
        String killed = as(acme, c -> {
            String pid = one(c, "SELECT pg_backend_pid()::text");
            try (Connection raw =
                            DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
                    Statement s = raw.createStatement()) {
                s.execute("SELECT pg_terminate_backend(" + pid + ")");
            }
            return pid;
        });
        String next = as(globex, c -> one(c, "SELECT pg_backend_pid()::text"));
        assertThat(next).isNotEqualTo(killed);
        assertThat(owners(globex)).containsExactly(globex.value());
    }
}
