package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditEvent;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.AuditQuery;
import dev.tenancy.audit.SecurityEvents;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.RowLevelSecurity;
import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.resolve.TenantAdmission;
import dev.tenancy.resolve.TenantMismatchException;
import dev.tenancy.resolve.TenantRequest;
import dev.tenancy.resolve.TenantResolver;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Security events: a request authenticated as one tenant that names another, and a tenant session
 * the database refuses (row-level security on PostgreSQL), land in the audit log once per window.
 */
class SecurityEventsTest {
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");

    private MutableClock clock;
    private AuditLog audit;
    private TenantCatalog catalog;
    private SecurityEvents security;

    @BeforeEach
    void setUp() {
        clock = MutableClock.atStartOf2026();
        audit = AuditLog.inMemory(clock);
        catalog = TenantCatalog.inMemory(AuditLog.inMemory(clock), clock);
        for (TenantId id : List.of(ACME, GLOBEX)) {
            catalog.register(
                    TenantRegistration.builder(id, id.value())
                            .isolation(IsolationModel.SHARED)
                            .active()
                            .build(),
                    Actor.system("test"));
        }
        security = SecurityEvents.builder(audit)
                .clock(clock)
                .window(Duration.ofMinutes(1))
                .build();
    }

    private List<AuditEvent> events() {
        return audit.query(AuditQuery.builder()
                        .entityType(SecurityEvents.ENTITY_TYPE)
                        .build())
                .items();
    }

    @Test
    void aRequestAuthenticatedAsOneTenantNamingAnother_isRecordedForTheTenantNamed_oncePerWindow() {
        TenantAdmission admission = TenantAdmission.builder()
                .catalog(catalog)
                .resolvers(TenantResolver.header("X-Tenant-ID"))
                .authenticatedClaim("tenant_id")
                .securityEvents(security)
                .build();
        TenantRequest probe = TenantRequest.builder()
                .path("/api/invoices")
                .header("X-Tenant-ID", "globex")
                .claim("tenant_id", "acme")
                .build();

        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> admission.admit(probe)).isInstanceOf(TenantMismatchException.class);
        }

        assertThat(events()).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo(SecurityEvents.CROSS_TENANT_REQUEST);
            assertThat(e.tenantId()).isEqualTo(GLOBEX);
            assertThat(e.actorId()).isEqualTo("tenant:acme");
            assertThat(e.metadata())
                    .containsEntry("principalTenant", "acme")
                    .containsEntry("requestedTenant", "globex")
                    .containsEntry("resolver", "header")
                    .containsEntry("path", "/api/invoices");
        });
        assertThat(security.suppressed()).isEqualTo(4);

        clock.advance(Duration.ofMinutes(1));
        assertThatThrownBy(() -> admission.admit(probe)).isInstanceOf(TenantMismatchException.class);
        assertThat(events()).hasSize(2);
        admission.admit(TenantRequest.builder()
                .header("X-Tenant-ID", "acme")
                .claim("tenant_id", "acme")
                .build()); // agreeing: nothing recorded
        assertThat(events()).hasSize(2);
    }

    @Test
    void aWriteRowLevelSecurityRefuses_isRecordedForTheBoundTenant() throws Exception {
        TestDatabase database = TestDatabase.postgres();
        try (database) {
            String role = database.applicationRole();
            database.execute("CREATE TABLE notes (tenant_id VARCHAR(48) NOT NULL, body VARCHAR(200) NOT NULL)");
            database.execute("CREATE INDEX notes_tenant ON notes (tenant_id)");
            database.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON notes TO " + role);
            try (Connection owner = database.dataSource().getConnection()) {
                RowLevelSecurity.on("notes").tenantColumn("tenant_id").apply(owner);
            }
            try (TenantDataSource dataSource = TenantDataSource.builder()
                    .catalog(catalog)
                    .server(DatabaseServer.of("default", database.jdbcUrl(), role, ""))
                    .securityEvents(security)
                    .build()) {
                SQLException refused = TenantContext.where(ACME).call(() -> {
                    try (Connection c = dataSource.getConnection();
                            Statement s = c.createStatement()) {
                        s.executeUpdate("INSERT INTO notes VALUES ('globex', 'planted by acme')");
                        return null;
                    } catch (SQLException e) {
                        return e;
                    }
                });
                assertThat((Throwable) refused).as("the insert is refused").isNotNull();
                assertThat(refused.getSQLState()).isEqualTo("42501");
                TenantContext.where(ACME).run(() -> {
                    try (Connection c = dataSource.getConnection();
                            Statement s = c.createStatement()) {
                        s.executeUpdate("INSERT INTO notes VALUES ('acme', 'mine')"); // allowed: nothing recorded
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        }

        assertThat(events()).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo(SecurityEvents.ACCESS_DENIED);
            assertThat(e.tenantId()).isEqualTo(ACME);
            assertThat(e.metadata()).containsEntry("sqlState", "42501");
            assertThat((String) e.metadata().get("message")).contains("row-level security");
        });
    }

    @Test
    void aNegativeWindow_isRefused() {
        assertThatThrownBy(() -> SecurityEvents.builder(audit).window(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT-1S");
    }
}
