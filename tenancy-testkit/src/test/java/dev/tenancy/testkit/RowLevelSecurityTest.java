package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.TenantId;
import dev.tenancy.TenantStatus;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.jdbc.BindingKey;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.RowLevelSecurity;
import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.provision.TenantOffboarding;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Row-level security on PostgreSQL, with the application connected as a role that neither owns the
 * table nor is a superuser: hand-written SQL without a WHERE clause sees only the bound tenant.
 */
class RowLevelSecurityTest {
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");

    private TestDatabase database;
    private TenantDataSource dataSource;
    private String role;

    @BeforeEach
    void setUp() {
        database = TestDatabase.postgres();
        role = database.applicationRole();
        database.execute("CREATE TABLE notes (tenant_id VARCHAR(48) NOT NULL, body VARCHAR(200) NOT NULL)");
        database.execute("CREATE INDEX notes_tenant ON notes (tenant_id)");
        database.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON notes TO " + role);
        database.execute("INSERT INTO notes VALUES ('acme', 'a1'), ('acme', 'a2'), ('globex', 'g1')");
        TenantCatalog catalog = TenantCatalog.inMemory(AuditLog.inMemory());
        for (TenantId id : List.of(ACME, GLOBEX)) {
            catalog.register(
                    TenantRegistration.builder(id, id.value())
                            .isolation(IsolationModel.SHARED)
                            .active()
                            .build(),
                    Actor.system("test"));
        }
        dataSource = TenantDataSource.builder()
                .catalog(catalog)
                .server(DatabaseServer.of("default", database.jdbcUrl(), role, "")
                        .withMaximumPoolSize(2))
                .build();
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

    private void applyAsOwner(RowLevelSecurity rls) throws SQLException {
        try (Connection owner = database.dataSource().getConnection()) {
            rls.apply(owner);
        }
    }

    private List<String> selectAll(TenantId tenant) throws SQLException {
        return TenantContext.where(tenant).call(() -> {
            try (Connection c = dataSource.getConnection();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT * FROM notes ORDER BY body")) {
                List<String> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(rs.getString("tenant_id") + ":" + rs.getString("body"));
                }
                return rows;
            }
        });
    }

    @Test
    void handWrittenSqlWithoutWhere_seesOnlyTheBoundTenant() throws SQLException {
        applyAsOwner(RowLevelSecurity.on("notes"));
        assertThat(selectAll(ACME)).containsExactly("acme:a1", "acme:a2");
        assertThat(selectAll(GLOBEX)).containsExactly("globex:g1");
    }

    @Test
    void insertNamingAnotherTenant_failsInTheDatabase() throws SQLException {
        applyAsOwner(RowLevelSecurity.on("notes"));
        assertThatThrownBy(() -> TenantContext.where(ACME).call(() -> {
                    try (Connection c = dataSource.getConnection();
                            PreparedStatement s = c.prepareStatement("INSERT INTO notes VALUES (?, ?)")) {
                        s.setString(1, "globex");
                        s.setString(2, "forged");
                        return s.executeUpdate();
                    }
                }))
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"))
                .hasMessageContaining("row-level security");
        assertThat(selectAll(GLOBEX)).containsExactly("globex:g1");
    }

    @Test
    void updatesAndDeletes_reachOnlyTheBoundTenant() throws SQLException {
        applyAsOwner(RowLevelSecurity.on("notes"));
        int changed = TenantContext.where(ACME).call(() -> {
            try (Connection c = dataSource.getConnection();
                    Statement s = c.createStatement()) {
                return s.executeUpdate("UPDATE notes SET body = 'x'") + s.executeUpdate("DELETE FROM notes");
            }
        });
        assertThat(changed).isEqualTo(4);
        assertThat(selectAll(GLOBEX)).containsExactly("globex:g1");
    }

    @Test
    void truncate_isRefusedWhileATenantIsBound_andRunsWithNone() throws SQLException {
        database.execute("GRANT TRUNCATE ON notes TO " + role);
        applyAsOwner(RowLevelSecurity.on("notes"));
        assertThatThrownBy(() -> TenantContext.where(ACME).call(() -> {
                    try (Connection c = dataSource.getConnection();
                            Statement s = c.createStatement()) {
                        return s.executeUpdate("TRUNCATE notes");
                    }
                }))
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"))
                .hasMessageContaining("TRUNCATE public.notes in a session bound to tenant 'acme'"
                        + " would remove the rows of every tenant");
        assertThat(selectAll(GLOBEX)).containsExactly("globex:g1");
        assertThat(selectAll(ACME)).hasSize(2);

        TenantContext.system().call(() -> {
            try (Connection c = dataSource.getConnection();
                    Statement s = c.createStatement()) {
                return s.executeUpdate("TRUNCATE notes");
            }
        });
        try (Connection owner = database.dataSource().getConnection();
                Statement s = owner.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM notes")) {
            rs.next();
            assertThat(rs.getInt(1)).as("with no tenant bound, TRUNCATE runs").isZero();
        }
    }

    @Test
    void systemScope_andAnEmptySetting_seeNoRows() throws SQLException {
        applyAsOwner(RowLevelSecurity.on("notes"));
        int rows = TenantContext.system().call(() -> {
            try (Connection c = dataSource.getConnection();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM notes")) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(rows).isZero();
    }

    @Test
    void applyingTwice_isIdempotent() throws SQLException {
        applyAsOwner(RowLevelSecurity.on("notes"));
        applyAsOwner(RowLevelSecurity.on("notes").tenantColumn("tenant_id"));
        assertThat(selectAll(ACME)).hasSize(2);
    }

    @Test
    void unindexedTenantColumn_isRefusedUnlessAllowed() throws SQLException {
        database.execute("CREATE TABLE events (tenant_id VARCHAR(48) NOT NULL, at TIMESTAMP)");
        database.execute("CREATE INDEX events_at ON events (at, tenant_id)");
        assertThatThrownBy(() -> applyAsOwner(RowLevelSecurity.on("events")))
                .hasMessageContaining("Table events has no index leading with tenant_id")
                .hasMessageContaining("allowUnindexed()");
        applyAsOwner(RowLevelSecurity.on("events").allowUnindexed());
    }

    @Test
    void badNames_areRefusedBeforeAnySql() {
        assertThatThrownBy(() -> RowLevelSecurity.on("notes; drop table notes"))
                .hasMessageContaining("'notes; drop table notes'");
        assertThatThrownBy(() -> RowLevelSecurity.on("notes").tenantColumn("Tenant"))
                .hasMessageContaining("'Tenant'");
        assertThatThrownBy(() -> applyAsOwner(RowLevelSecurity.on("missing"))).hasMessageContaining("does not exist");
    }

    // ---------------------------------------------------------------------------------------------
    // Signed bindings: the application's own SQL cannot move its session to another tenant.

    private static final BindingKey KEY = BindingKey.of("0123456789abcdef0123456789abcdef".getBytes());
    private static final BindingKey OTHER_KEY = BindingKey.of("fedcba9876543210fedcba9876543210".getBytes());

    private TenantDataSource signed(BindingKey key) {
        TenantDataSource unsigned = dataSource;
        unsigned.close();
        dataSource = TenantDataSource.builder()
                .catalog(unsigned.catalog())
                .server(DatabaseServer.of("default", database.jdbcUrl(), role, "")
                        .withMaximumPoolSize(2))
                .signedBinding(key)
                .build();
        return dataSource;
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString("tenant_id") + ":" + rs.getString("body"));
            }
            return out;
        }
    }

    private static String setting(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_setting('" + name + "', true)")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void aPlainSetting_isForgedByOneSetConfig_whichIsWhySignedBindingsExist() throws SQLException {
        applyAsOwner(RowLevelSecurity.on("notes"));
        List<String> seen = TenantContext.where(ACME).call(() -> {
            try (Connection c = dataSource.getConnection()) {
                rows(c, "SELECT set_config('tenancy.tenant_id', 'globex', false) AS tenant_id, '' AS body");
                return rows(c, "SELECT * FROM notes");
            }
        });
        assertThat(seen).as("unsigned: injected SQL reaches globex").containsExactly("globex:g1");
    }

    @Test
    void aSignedBinding_readsAndWritesTheBoundTenant() throws SQLException {
        applyAsOwner(RowLevelSecurity.on("notes").signedBy(KEY));
        signed(KEY);
        assertThat(selectAll(ACME)).containsExactly("acme:a1", "acme:a2");
        assertThat(selectAll(GLOBEX)).containsExactly("globex:g1");
        TenantContext.where(ACME).call(() -> {
            try (Connection c = dataSource.getConnection();
                    Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO notes VALUES ('acme', 'a3')");
            }
            return null;
        });
        assertThat(selectAll(ACME)).containsExactly("acme:a1", "acme:a2", "acme:a3");
    }

    @Test
    void aSignedBinding_changedByTheApplicationsSql_seesNothingAndWritesNothing() throws SQLException {
        applyAsOwner(RowLevelSecurity.on("notes").signedBy(KEY));
        signed(KEY);
        TenantContext.where(ACME).call(() -> {
            try (Connection c = dataSource.getConnection()) {
                rows(c, "SELECT set_config('tenancy.tenant_id', 'globex', false) AS tenant_id, '' AS body");
                assertThat(rows(c, "SELECT * FROM notes")).isEmpty();
                try (Statement s = c.createStatement()) {
                    assertThatThrownBy(() -> s.executeUpdate("INSERT INTO notes VALUES ('globex', 'forged')"))
                            .isInstanceOfSatisfying(
                                    SQLException.class,
                                    e -> assertThat(e.getSQLState()).isEqualTo("42501"));
                }
            }
            return null;
        });
        assertThat(selectAll(GLOBEX)).as("the next borrow is bound afresh").containsExactly("globex:g1");
    }

    @Test
    void aSignatureCopiedFromAnotherSession_doesNotVerify() throws SQLException {
        applyAsOwner(RowLevelSecurity.on("notes").signedBy(KEY));
        signed(KEY);
        try (Connection globex = TenantContext.where(GLOBEX).call(dataSource::getConnection);
                Connection acme = TenantContext.where(ACME).call(dataSource::getConnection)) {
            assertThat(rows(globex, "SELECT * FROM notes")).containsExactly("globex:g1");
            String stolen = setting(globex, "tenancy.binding");
            assertThat(stolen).as("a random token, not the signature").hasSize(36);
            rows(
                    acme,
                    "SELECT set_config('tenancy.tenant_id', 'globex', false) AS tenant_id,"
                            + " set_config('tenancy.binding', '" + stolen + "', false) AS body");
            assertThat(rows(acme, "SELECT * FROM notes"))
                    .as("globex's token is recorded for globex's server process, not this one")
                    .isEmpty();
        }
    }

    @Test
    void withoutTheKey_orWithAnotherKey_aSignedPolicyShowsNothing() throws SQLException {
        applyAsOwner(RowLevelSecurity.on("notes").signedBy(KEY));
        assertThat(selectAll(ACME)).as("unsigned data source").isEmpty();
        signed(OTHER_KEY);
        assertThatThrownBy(() -> selectAll(ACME))
                .as("another key: the binding is refused, loudly")
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("does not verify");
        signed(KEY);
        int rows = TenantContext.system().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                return rows(c, "SELECT * FROM notes").size();
            }
        });
        assertThat(rows).as("system scope").isZero();
    }

    @Test
    void theKeyIsClosedToTheApplicationRole() throws SQLException {
        applyAsOwner(RowLevelSecurity.on("notes").signedBy(KEY));
        signed(KEY);
        assertThatThrownBy(() -> TenantContext.where(ACME).call(() -> {
                    try (Connection c = dataSource.getConnection()) {
                        return rows(
                                c,
                                "SELECT inner_pad AS tenant_id, outer_pad AS body FROM tenancy_binding.tenancy_binding_key");
                    }
                }))
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
        applyAsOwner(RowLevelSecurity.on("notes").signedBy(KEY)); // re-applying is idempotent
        assertThat(selectAll(ACME)).hasSize(2);
    }

    @Test
    void offboardingASharedTenant_underASignedPolicy_exportsAndPurgesItsRows(@TempDir Path directory)
            throws SQLException {
        applyAsOwner(RowLevelSecurity.on("notes").signedBy(KEY));
        signed(KEY);
        dataSource.catalog().transition(ACME, TenantStatus.ARCHIVED, Actor.system("test"), "left");
        TenantOffboarding offboarding = TenantOffboarding.builder()
                .catalog(dataSource.catalog())
                .dataSource(dataSource)
                .platform(database.dataSource())
                .sharedTable("notes", "tenant_id")
                .build();

        // The storage's connection signs its binding with the data source's key: unsigned, the policy
        // showed it nothing, so the export was empty and the purge deleted nothing, silently.
        assertThat(offboarding.export(ACME, directory)).containsEntry("notes", 2L);
        offboarding.purge(ACME, Actor.system("test"), true);
        try (Connection owner = database.dataSource().getConnection();
                Statement s = owner.createStatement();
                ResultSet rs = s.executeQuery("SELECT tenant_id, COUNT(*) FROM notes GROUP BY tenant_id")) {
            List<String> left = new ArrayList<>();
            while (rs.next()) {
                left.add(rs.getString(1) + "=" + rs.getInt(2));
            }
            assertThat(left).containsExactly("globex=1");
        }
    }

    @Test
    void aBindingKeyIs32To64Bytes_andNeverPrinted() {
        assertThatThrownBy(() -> BindingKey.of(new byte[16]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32 to 64 random bytes, was 16 bytes")
                .hasMessageContaining("openssl rand -base64 32");
        assertThatThrownBy(() -> BindingKey.fromBase64("not base64!"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not Base64");
        assertThatThrownBy(() -> BindingKey.fromBase64(null)).hasMessageContaining("missing");
        assertThat(KEY.toString()).isEqualTo("BindingKey[32 bytes]");
    }

    @Test
    void aSignedReadOnlyBinding_cannotWriteEvenWithTheSessionsReadOnlySettingTurnedOff() throws SQLException {
        applyAsOwner(RowLevelSecurity.on("notes").signedBy(KEY));
        signed(KEY);
        dataSource.catalog().transition(GLOBEX, TenantStatus.ARCHIVED, Actor.system("test"), "contract ended");
        TenantContext.where(GLOBEX).call(() -> {
            try (Connection c = dataSource.getConnection();
                    Statement s = c.createStatement()) {
                assertThat(rows(c, "SELECT * FROM notes"))
                        .as("archived: still readable")
                        .containsExactly("globex:g1");
                assertThatThrownBy(() -> s.executeUpdate("INSERT INTO notes VALUES ('globex', 'g2')"))
                        .as("the session refuses first")
                        .isInstanceOfSatisfying(
                                SQLException.class,
                                e -> assertThat(e.getSQLState()).isEqualTo("25006"));
                s.execute("SET default_transaction_read_only TO off");
                assertThatThrownBy(() -> s.executeUpdate("INSERT INTO notes VALUES ('globex', 'g2')"))
                        .as("with the session's setting off, the signed policy refuses")
                        .isInstanceOfSatisfying(
                                SQLException.class,
                                e -> assertThat(e.getSQLState()).isEqualTo("42501"));
                assertThatThrownBy(() -> s.executeUpdate("UPDATE notes SET body = 'x'"))
                        .isInstanceOfSatisfying(
                                SQLException.class,
                                e -> assertThat(e.getSQLState()).isEqualTo("42501"));
                assertThat(s.executeUpdate("DELETE FROM notes"))
                        .as("deletes nothing")
                        .isZero();
            }
            return null;
        });
        dataSource.catalog().transition(GLOBEX, TenantStatus.ACTIVE, Actor.system("test"), "restored");
        assertThat(selectAll(GLOBEX)).containsExactly("globex:g1");
        assertThat(selectAll(ACME)).as("an active tenant writes as before").containsExactly("acme:a1", "acme:a2");
    }
}
