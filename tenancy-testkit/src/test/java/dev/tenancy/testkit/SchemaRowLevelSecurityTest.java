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
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Row-level security over schema-per-tenant schemas on PostgreSQL: every tenant schema of a server
 * is open to the one role the application connects as, so SQL that names another tenant's schema
 * reads it, unless {@link RowLevelSecurity#onSchemaOf} closes each schema to other tenants'
 * sessions. The application connects as a role that owns nothing; the tables belong to the owner
 * that migrates them.
 */
class SchemaRowLevelSecurityTest {
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");
    private static final BindingKey KEY = BindingKey.of("0123456789abcdef0123456789abcdef".getBytes());

    private TestDatabase database;
    private TenantCatalog catalog;
    private TenantDataSource dataSource;
    private String role;

    @BeforeEach
    void setUp() {
        database = TestDatabase.postgres();
        role = database.applicationRole();
        catalog = TenantCatalog.inMemory(AuditLog.inMemory());
        for (TenantId id : List.of(ACME, GLOBEX)) {
            catalog.register(
                    TenantRegistration.builder(id, id.value())
                            .isolation(IsolationModel.SCHEMA)
                            .active()
                            .build(),
                    Actor.system("test"));
            String schema = id.schemaName();
            database.execute("CREATE SCHEMA " + schema);
            database.execute("CREATE TABLE " + schema + ".notes (id INT PRIMARY KEY, body VARCHAR(200) NOT NULL)");
            database.execute("GRANT USAGE ON SCHEMA " + schema + " TO " + role);
            database.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + schema + " TO " + role);
            database.execute("INSERT INTO " + schema + ".notes VALUES (1, '" + id.value() + " secret')");
        }
        dataSource = dataSource(null);
    }

    private TenantDataSource dataSource(BindingKey key) {
        if (dataSource != null) {
            dataSource.close();
        }
        TenantDataSource.Builder builder = TenantDataSource.builder()
                .catalog(catalog)
                .server(DatabaseServer.of("default", database.jdbcUrl(), role, "")
                        .withMaximumPoolSize(2));
        if (key != null) {
            builder.signedBinding(key);
        }
        dataSource = builder.build();
        return dataSource;
    }

    @AfterEach
    void tearDown() {
        if (dataSource != null) {
            dataSource.close();
        }
        if (database != null) {
            database.close();
        }
    }

    private List<String> applyAsOwner(RowLevelSecurity.SchemaPolicy policy) throws SQLException {
        try (Connection owner = database.dataSource().getConnection()) {
            return policy.apply(owner);
        }
    }

    private void applyToBoth(BindingKey key) throws SQLException {
        for (TenantId id : List.of(ACME, GLOBEX)) {
            RowLevelSecurity.SchemaPolicy policy = RowLevelSecurity.onSchemaOf(id);
            applyAsOwner(key == null ? policy : policy.signedBy(key));
        }
    }

    private List<String> rowsAs(TenantId tenant, String sql) throws SQLException {
        return TenantSql.rows(dataSource, tenant, sql);
    }

    private int updateAs(TenantId tenant, String sql) throws SQLException {
        return TenantSql.update(dataSource, tenant, sql);
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        return TenantSql.rows(c, sql);
    }

    private List<String> asOwner(String sql) throws SQLException {
        try (Connection owner = database.dataSource().getConnection()) {
            return rows(owner, sql);
        }
    }

    @Test
    void withoutThePolicy_sqlNamingAnotherTenantsSchema_readsIt() throws SQLException {
        assertThat(rowsAs(ACME, "SELECT body FROM notes")).containsExactly("acme secret");
        assertThat(rowsAs(ACME, "SELECT body FROM t_globex.notes"))
                .as("the search path is all that keeps acme out of globex's schema")
                .containsExactly("globex secret");
    }

    @Test
    void withThePolicy_aTenantReadsAndWritesItsOwnSchema_andNoOtherTenantsRows() throws SQLException {
        applyToBoth(null);
        assertThat(rowsAs(ACME, "SELECT body FROM notes")).containsExactly("acme secret");
        assertThat(updateAs(ACME, "INSERT INTO notes VALUES (2, 'acme second')"))
                .isEqualTo(1);
        assertThat(updateAs(ACME, "UPDATE notes SET body = body || '!' WHERE id = 2"))
                .isEqualTo(1);

        assertThat(rowsAs(ACME, "SELECT body FROM t_globex.notes")).isEmpty();
        assertThat(updateAs(ACME, "UPDATE t_globex.notes SET body = 'defaced'")).isZero();
        assertThat(updateAs(ACME, "DELETE FROM t_globex.notes")).isZero();
        assertThatThrownBy(() -> updateAs(ACME, "INSERT INTO t_globex.notes VALUES (3, 'planted')"))
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"))
                .hasMessageContaining("row-level security");
        assertThat(rowsAs(GLOBEX, "SELECT body FROM notes")).containsExactly("globex secret");
        assertThat(rowsAs(GLOBEX, "SELECT body FROM t_acme.notes ORDER BY id")).isEmpty();
    }

    @Test
    void theSystemScopeSeesNoTenantsRows_whileTheOwnerStillMigratesAndFixesData() throws SQLException {
        applyToBoth(null);
        int seen = TenantContext.system().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                return rows(c, "SELECT body FROM t_acme.notes UNION ALL SELECT body FROM t_globex.notes")
                        .size();
            }
        });
        assertThat(seen).isZero();

        database.execute("UPDATE t_acme.notes SET body = 'acme fixed'");
        database.execute("ALTER TABLE t_acme.notes ADD COLUMN pinned BOOLEAN NOT NULL DEFAULT false");
        assertThat(asOwner("SELECT body FROM t_acme.notes")).containsExactly("acme fixed");
        assertThat(rowsAs(ACME, "SELECT body FROM notes WHERE NOT pinned")).containsExactly("acme fixed");
    }

    @Test
    void unsigned_aSessionThatRewritesItsSetting_crossesOver_signed_itSeesNothing() throws SQLException {
        String forge = "SELECT set_config('tenancy.tenant_id', 'globex', false)";
        applyToBoth(null);
        List<String> unsigned = TenantContext.where(ACME).call(() -> {
            try (Connection c = dataSource.getConnection()) {
                rows(c, forge);
                return rows(c, "SELECT body FROM t_globex.notes");
            }
        });
        assertThat(unsigned)
                .as("a plain setting is defence against mistakes only")
                .containsExactly("globex secret");

        applyToBoth(KEY);
        dataSource(KEY);
        assertThat(rowsAs(ACME, "SELECT body FROM notes")).containsExactly("acme secret");
        assertThat(updateAs(ACME, "INSERT INTO notes VALUES (2, 'acme second')"))
                .isEqualTo(1);
        TenantContext.where(ACME).run(() -> {
            try (Connection c = dataSource.getConnection()) {
                rows(c, forge);
                assertThat(rows(c, "SELECT body FROM t_globex.notes")).isEmpty();
                assertThat(rows(c, "SELECT body FROM notes"))
                        .as("nor its own, once forged")
                        .isEmpty();
                try (Statement s = c.createStatement()) {
                    assertThatThrownBy(() -> s.executeUpdate("INSERT INTO t_globex.notes VALUES (3, 'planted')"))
                            .isInstanceOfSatisfying(
                                    SQLException.class,
                                    e -> assertThat(e.getSQLState()).isEqualTo("42501"));
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(asOwner("SELECT body FROM t_globex.notes")).containsExactly("globex secret");
    }

    @Test
    void truncate_ofAnotherTenantsTable_isRefused_ofItsOwnRuns() throws SQLException {
        database.execute("GRANT TRUNCATE ON ALL TABLES IN SCHEMA t_globex TO " + role);
        database.execute("GRANT TRUNCATE ON ALL TABLES IN SCHEMA t_acme TO " + role);
        applyToBoth(null);
        assertThatThrownBy(() -> updateAs(ACME, "TRUNCATE t_globex.notes"))
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"))
                .hasMessageContaining("TRUNCATE t_globex.notes, a table of tenant 'globex', in a session bound to"
                        + " tenant 'acme'");
        assertThat(asOwner("SELECT body FROM t_globex.notes")).containsExactly("globex secret");
        updateAs(ACME, "TRUNCATE notes");
        assertThat(asOwner("SELECT body FROM t_acme.notes")).isEmpty();
    }

    @Test
    void tablesAddedByALaterMigration_areCoveredWhenAppliedAgain() throws SQLException {
        assertThat(applyAsOwner(RowLevelSecurity.onSchemaOf(GLOBEX))).containsExactly("notes");
        database.execute("CREATE TABLE t_globex.events (at DATE NOT NULL, what TEXT) PARTITION BY RANGE (at)");
        database.execute("CREATE TABLE t_globex.events_2026 PARTITION OF t_globex.events"
                + " FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')");
        database.execute("GRANT SELECT ON ALL TABLES IN SCHEMA t_globex TO " + role);
        database.execute("INSERT INTO t_globex.events VALUES ('2026-12-02', 'globex event')");
        assertThat(rowsAs(ACME, "SELECT what FROM t_globex.events"))
                .as("not yet covered")
                .hasSize(1);

        assertThat(applyAsOwner(RowLevelSecurity.onSchemaOf(GLOBEX).signedBy(KEY)))
                .containsExactly("events", "events_2026", "notes");
        assertThat(applyAsOwner(RowLevelSecurity.onSchemaOf(GLOBEX).signedBy(KEY)))
                .as("idempotent")
                .containsExactly("events", "events_2026", "notes");
        dataSource(KEY);
        assertThat(rowsAs(ACME, "SELECT what FROM t_globex.events")).isEmpty();
        assertThat(rowsAs(ACME, "SELECT what FROM t_globex.events_2026")).isEmpty();
        assertThat(rowsAs(GLOBEX, "SELECT what FROM events")).containsExactly("globex event");
    }

    @Test
    void aTenantWithNoSchema_isRefusedNamingTheFix() {
        assertThatThrownBy(() -> applyAsOwner(RowLevelSecurity.onSchemaOf(TenantId.of("initech"))))
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("3F000"))
                .hasMessage("Schema t_initech of tenant 'initech' does not exist: provision the tenant"
                        + " (TenantProvisioner) before applying its row-level security");
        assertThatThrownBy(() -> RowLevelSecurity.onSchemaOf(null)).hasMessageContaining("tenant");
    }

    @Test
    void aRoleThatDoesNotOwnTheTables_cannotApplyIt_andLeavesNothingHalfDone() throws SQLException {
        database.execute("GRANT CREATE ON SCHEMA t_acme TO " + role);
        database.execute("GRANT CREATE ON SCHEMA public TO " + role);
        try (Connection app = java.sql.DriverManager.getConnection(database.jdbcUrl(), role, "")) {
            try (Statement s = app.createStatement()) {
                s.execute("CREATE TABLE t_acme.mine (id INT)"); // sorts before notes, which it does not own
            }
            assertThatThrownBy(() -> RowLevelSecurity.onSchemaOf(ACME).apply(app))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("must be owner of table notes");
            assertThat(app.getAutoCommit()).isTrue();
        }
        assertThat(asOwner("SELECT relname FROM pg_class WHERE relrowsecurity"
                        + " AND relnamespace = 't_acme'::regnamespace"))
                .as("no table of the schema half-done")
                .isEmpty();
    }

    @Test
    void manyApplicationsAtOnce_takeTurns() throws Exception {
        // PostgreSQL fails concurrent replacements of one function ("tuple concurrently updated"),
        // as a fleet migration covering many tenants in parallel would cause.
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<List<String>>> applied = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                TenantId tenant = i % 2 == 0 ? ACME : GLOBEX;
                applied.add(pool.submit(
                        () -> applyAsOwner(RowLevelSecurity.onSchemaOf(tenant).signedBy(KEY))));
            }
            for (java.util.concurrent.Future<List<String>> f : applied) {
                assertThat(f.get()).containsExactly("notes");
            }
        } finally {
            pool.shutdownNow();
        }
        dataSource(KEY);
        assertThat(rowsAs(ACME, "SELECT body FROM t_globex.notes")).isEmpty();
        assertThat(rowsAs(GLOBEX, "SELECT body FROM notes")).containsExactly("globex secret");
    }
}
