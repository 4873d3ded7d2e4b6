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
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.RowLevelSecurity;
import dev.tenancy.jdbc.TenantDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
        role = "tenancy_app_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        database.execute("CREATE ROLE " + role + " LOGIN NOSUPERUSER NOBYPASSRLS");
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
            try (TestDatabase admin = TestDatabase.postgres()) {
                admin.execute("DROP ROLE IF EXISTS " + role);
            }
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
}
