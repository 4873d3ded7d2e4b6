package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.JdbcTenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.catalog.TenantUpdate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * LISTEN and NOTIFY channels belong to the database, not to a role: a tenant's session on the
 * platform database must not hear which tenants change (the catalog's notifications carry their
 * ids), nor make every node reload. Tenancy's channel names end with a secret only the platform's
 * role can read (PostgreSQL).
 */
class NotificationChannelTest {
    private static final Actor ADMIN = Actor.user("admin", "system_admin");
    private static final TenantId GLOBEX = TenantId.of("globex");

    private TestDatabase database;
    private String app;
    private JdbcTenantCatalog catalog;

    @BeforeEach
    void setUp() {
        database = TestDatabase.postgres();
        app = database.applicationRole();
        catalog = JdbcTenantCatalog.builder(database.dataSource())
                .auditLog(AuditLog.inMemory())
                .build();
        catalog.register(TenantRegistration.builder(GLOBEX, "Globex").active().build(), ADMIN);
    }

    @AfterEach
    void tearDown() {
        catalog.close();
        database.close();
    }

    @Test
    void aTenantsSession_hearsNoCatalogChange_onTheWellKnownChannels() throws Exception {
        List<TenantId> heard = new CopyOnWriteArrayList<>();
        try (AutoCloseable platform = catalog.subscribe(heard::add);
                Connection tenant = DriverManager.getConnection(database.jdbcUrl(), app, "");
                Statement s = tenant.createStatement()) {
            for (String channel :
                    List.of("tenancy_catalog", "tenancy_settings", "tenancy_flags", "tenancy_billing_terms")) {
                s.execute("LISTEN " + channel);
            }
            catalog.update(GLOBEX, TenantUpdate.builder().tier("enterprise").build(), ADMIN);

            long deadline = System.nanoTime() + 5_000_000_000L;
            while (heard.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(heard).as("the platform hears the change").contains(GLOBEX);
            PGNotification[] tenantHeard = tenant.unwrap(PGConnection.class).getNotifications(500);
            assertThat(tenantHeard == null ? new PGNotification[0] : tenantHeard)
                    .as("the tenant's session hears nothing")
                    .isEmpty();
            assertThatThrownBy(() -> s.executeQuery("SELECT secret FROM tenancy.tenancy_secrets"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied");
        }
    }
}
