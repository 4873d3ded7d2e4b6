package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.ServerLockdown;
import dev.tenancy.jdbc.TenantDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every role of a PostgreSQL database reaches, and tenants sharing one application role must
 * not share: large objects (created even in a read-only transaction, read and overwritten across
 * tenants) and other sessions' SQL text in {@code pg_stat_activity}. Open before {@link
 * ServerLockdown}, closed after it, on a real server.
 */
class ServerLockdownTest {
    private static final Actor ADMIN = Actor.user("admin", "system_admin");
    private static final TenantId ACME = TenantId.of("acme");

    private TestDatabase database;
    private String app;

    @BeforeEach
    void setUp() {
        database = TestDatabase.postgres();
        app = database.applicationRole();
    }

    @AfterEach
    void tearDown() {
        database.close();
    }

    private Connection asApp() throws SQLException {
        return DriverManager.getConnection(database.jdbcUrl(), app, "");
    }

    private static long scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void largeObjects_areSharedBetweenTenants_untilLockedDown() throws Exception {
        long oid;
        try (Connection acme = asApp()) {
            oid = scalar(acme, "SELECT lo_from_bytea(0, convert_to('acme payroll', 'UTF8'))");
        }
        try (Connection globex = asApp()) {
            assertThat(scalar(globex, "SELECT count(*) FROM pg_largeobject_metadata"))
                    .isEqualTo(1);
            try (Statement s = globex.createStatement();
                    ResultSet rs = s.executeQuery("SELECT convert_from(lo_get(" + oid + "), 'UTF8')")) {
                rs.next();
                assertThat(rs.getString(1)).as("open: another tenant reads it").isEqualTo("acme payroll");
            }
        }

        try (Connection superuser = database.dataSource().getConnection()) {
            assertThat(ServerLockdown.apply(superuser))
                    .contains("REVOKE SELECT ON pg_catalog.pg_largeobject_metadata FROM PUBLIC")
                    .anyMatch(sql -> sql.contains("lo_from_bytea"))
                    .anyMatch(sql -> sql.contains("lo_get"))
                    .anyMatch(sql -> sql.contains("lo_put"));
            ServerLockdown.apply(superuser); // idempotent
        }

        try (Connection globex = asApp()) {
            for (String sql : new String[] {
                "SELECT lo_get(" + oid + ")",
                "SELECT lo_put(" + oid + ", 0, '\\x00')",
                "SELECT lo_from_bytea(0, '\\x00')",
                "SELECT lo_create(0)",
                "SELECT lo_unlink(" + oid + ")",
                "SELECT count(*) FROM pg_largeobject_metadata"
            }) {
                assertThatThrownBy(() -> scalar(globex, sql))
                        .as(sql)
                        .isInstanceOf(SQLException.class)
                        .satisfies(e ->
                                assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
            }
        }
    }

    @Test
    void aReadOnlyTenant_cannotCreateLargeObjects_onceLockedDown() throws Exception {
        TenantCatalog catalog = TenantCatalog.inMemory(AuditLog.inMemory());
        catalog.register(TenantRegistration.builder(ACME, "Acme").active().build(), ADMIN);
        database.execute("GRANT USAGE ON SCHEMA public TO " + app);
        try (Connection superuser = database.dataSource().getConnection()) {
            ServerLockdown.apply(superuser);
        }
        try (TenantDataSource dataSource = TenantDataSource.builder()
                .catalog(catalog)
                .server(DatabaseServer.of("default", database.jdbcUrl(), app, "")
                        .withOwner(database.user(), database.password()))
                .build()) {
            assertThatThrownBy(() -> TenantContext.where(ACME).readOnly().call(() -> {
                        try (Connection c = dataSource.getConnection()) {
                            return scalar(c, "SELECT lo_from_bytea(0, '\\x01')");
                        }
                    }))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied");
        }
    }

    @Test
    void otherSessionsSql_isVisibleToTheSameRole_untilLockedDown() throws Exception {
        String secret = "acme-card-4111111111111111";
        try (Connection acme = asApp()) {
            CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
                try (Statement s = acme.createStatement()) {
                    s.execute("SELECT pg_sleep(2), '" + secret + "'");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            // polled until the other session's statement shows (it runs for 2 s), not slept on
            long seen = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            try (Connection globex = asApp();
                    PreparedStatement s = globex.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                            + " WHERE query LIKE ? AND pid <> pg_backend_pid()")) {
                s.setString(1, "%" + secret.substring(0, 10) + "%");
                while (seen == 0 && System.nanoTime() - deadline < 0) {
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        seen = rs.getLong(1);
                    }
                }
            }
            assertThat(seen)
                    .as("open: the same role sees the other session's literal")
                    .isEqualTo(1);
            running.get(5, TimeUnit.SECONDS);
        }

        try (Connection superuser = database.dataSource().getConnection()) {
            ServerLockdown.apply(superuser);
        }
        try (Connection globex = asApp()) {
            assertThatThrownBy(() -> scalar(globex, "SELECT count(*) FROM pg_stat_activity"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> scalar(globex, "SELECT count(*) FROM pg_stat_get_activity(NULL)"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied");
        }
    }

    @Test
    void theLibrarysOwnBinding_leavesNoTenantNameInOtherSessionsView() throws Exception {
        TenantCatalog catalog = TenantCatalog.inMemory(AuditLog.inMemory());
        catalog.register(TenantRegistration.builder(ACME, "Acme").active().build(), ADMIN);
        database.execute("GRANT USAGE ON SCHEMA public TO " + app);
        try (TenantDataSource dataSource = TenantDataSource.builder()
                        .catalog(catalog)
                        .server(DatabaseServer.of("default", database.jdbcUrl(), app, "")
                                .withOwner(database.user(), database.password()))
                        .signedBinding(dev.tenancy.jdbc.BindingKey.of("0123456789abcdef0123456789abcdef".getBytes()))
                        .build();
                Connection bound = TenantContext.where(ACME).call(dataSource::getConnection);
                Connection other = asApp();
                Statement s = other.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT query FROM pg_stat_activity WHERE usename = current_user AND pid <> pg_backend_pid()")) {
            java.util.List<String> seen = new java.util.ArrayList<>();
            while (rs.next()) {
                seen.add(rs.getString(1));
            }
            assertThat(seen).as("the bound session's last query").isNotEmpty();
            assertThat(seen).noneMatch(q -> q.contains("acme"));
            assertThat(bound.isValid(1)).isTrue();
        }
    }

    @Test
    void theScript_isWhatApplyRuns_forADbaToRunByHand() throws Exception {
        database.execute(ServerLockdown.script());
        try (Connection globex = asApp()) {
            assertThatThrownBy(() -> scalar(globex, "SELECT lo_from_bytea(0, '\\x00')"))
                    .hasMessageContaining("permission denied");
        }
    }
}
