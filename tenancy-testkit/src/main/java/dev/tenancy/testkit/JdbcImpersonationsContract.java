package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.access.AccessPolicy;
import dev.tenancy.access.Impersonation;
import dev.tenancy.access.Impersonations;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.JdbcAuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.internal.Jdbc;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.TenantDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link ImpersonationsContract} with sessions and the audit log in one database, plus what only a
 * database shows: sessions survive a restart, and the database itself keeps one open session per admin.
 */
public abstract class JdbcImpersonationsContract extends ImpersonationsContract {

    /** The database engine to run on. */
    protected abstract TestDatabase.Kind kind();

    private TestDatabase database;

    @Override
    protected AuditLog newAuditLog(MutableClock clock) {
        database = TestDatabase.of(kind());
        return JdbcAuditLog.builder(database.dataSource()).clock(clock).build();
    }

    @Override
    protected Impersonations newImpersonations(
            TenantCatalog catalog, AuditLog audit, AccessPolicy policy, MutableClock clock) {
        return Impersonations.builder()
                .catalog(catalog)
                .auditLog(audit)
                .policy(policy)
                .dataSource(database.dataSource())
                .clock(clock)
                .build();
    }

    @AfterEach
    void dropDatabase() {
        if (database != null) {
            database.close();
        }
    }

    @Test
    @DisplayName("sessions are kept in the platform database: another instance (a restart, another node) sees them")
    void sessions_surviveARestart() {
        Impersonation s = impersonations.start(request(ADMIN, ACME).build());
        Impersonations restarted = Impersonations.builder()
                .catalog(catalog)
                .auditLog(audit)
                .policy(AccessPolicy.platformDefaults())
                .dataSource(database.dataSource())
                .clock(clock)
                .build();

        assertThat(restarted.find(s.id())).contains(s);
        assertThat(restarted.active()).containsExactly(s);
        restarted.end(s.id(), ADMIN);
        assertThat(impersonations.active()).isEmpty();
    }

    @Test
    @DisplayName("on the system clock, the session read back equals the one returned (times kept to the millisecond)")
    void systemClock_roundTrips() {
        Impersonations onSystemClock = Impersonations.builder()
                .catalog(catalog)
                .auditLog(audit)
                .policy(AccessPolicy.platformDefaults())
                .dataSource(database.dataSource())
                .build();
        Impersonation s = onSystemClock.start(request(ADMIN, ACME).build());
        assertThat(onSystemClock.find(s.id())).contains(s);
        Impersonation ended = onSystemClock.end(s.id(), ADMIN);
        assertThat(onSystemClock.find(s.id())).contains(ended);
    }

    @Test
    @DisplayName("a session and its audit event commit together: the event's row is in the same database")
    void sessionAndEvent_inOneDatabase() throws SQLException {
        Impersonation s = impersonations.start(request(ADMIN, ACME).build());
        try (Connection c = database.dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM tenancy.tenancy_audit_events WHERE action ="
                        + " 'impersonation.started' AND entity_id = '" + s.id() + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
        assertThat(audit.verify().intact()).isTrue();
    }

    @Test
    @DisplayName(
            "through TenantDataSource, a read-only session reads the tenant's rows and cannot write; write mode writes")
    void readOnlySession_cannotWriteThroughTheDataSource() throws Exception {
        database.execute("CREATE TABLE notes (tenant_id VARCHAR(48) NOT NULL, body VARCHAR(200) NOT NULL)");
        database.execute("INSERT INTO notes VALUES ('acme', 'invoice 4521')");
        try (TenantDataSource tenants = TenantDataSource.builder()
                .allowInsecureRole() // connects as the test server's superuser
                .catalog(catalog)
                .server(DatabaseServer.of("default", database.jdbcUrl(), database.user(), database.password()))
                .build()) {
            Impersonation read = impersonations.start(request(ADMIN, ACME).build());
            String seen = impersonations.scope(read.id(), ADMIN).call(() -> {
                try (Connection c = tenants.getConnection();
                        Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("SELECT body FROM notes WHERE tenant_id = 'acme'")) {
                    rs.next();
                    return rs.getString(1);
                }
            });
            assertThat(seen).isEqualTo("invoice 4521");
            assertThatThrownBy(() -> impersonations.scope(read.id(), ADMIN).call(() -> {
                        try (Connection c = tenants.getConnection();
                                Statement st = c.createStatement()) {
                            return st.executeUpdate("DELETE FROM notes WHERE tenant_id = 'acme'");
                        }
                    }))
                    .isInstanceOfSatisfying(
                            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25006"));

            Impersonation write =
                    impersonations.start(request(SENIOR, ACME).write().build());
            int changed = impersonations.scope(write.id(), SENIOR).call(() -> {
                try (Connection c = tenants.getConnection();
                        Statement st = c.createStatement()) {
                    return st.executeUpdate("UPDATE notes SET body = 'invoice 4521, fixed' WHERE tenant_id = 'acme'");
                }
            });
            assertThat(changed).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("the database refuses a second open session for one admin, whatever writes it")
    void database_keepsOneOpenSessionPerAdmin() {
        impersonations.start(request(ADMIN, ACME).build());
        assertThatThrownBy(() -> database.execute("INSERT INTO tenancy.tenancy_impersonations (id, tenant_id,"
                        + " impersonator_id, impersonator_role, user_id, user_role, mode, reason, consent_source,"
                        + " consent_reference, started_at, expires_at, active_actor) VALUES ('x', 'acme', 'ops-1',"
                        + " 'system_admin', 'u', 'r', 'read_only', 'r', 'ticket', 't', CURRENT_TIMESTAMP,"
                        + " CURRENT_TIMESTAMP, 'ops-1')"))
                .satisfies(e -> assertThat(Jdbc.isUniqueViolation(e))
                        .as("unique violation: %s", e)
                        .isTrue());
    }
}
