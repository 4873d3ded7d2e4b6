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
import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.provision.TenantMove;
import dev.tenancy.provision.TenantProvisioner;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A move on a PostgreSQL server whose tenant storage has an owner of its own, with signed bindings:
 * the moved tenant's new schema is usable by the application's role and closed to every other
 * tenant's session before the tenant is switched there.
 */
class OwnedTenantMoveTest {
    private static final Actor ADMIN = Actor.user("u-1", "system_admin");
    private static final BindingKey KEY = BindingKey.of("0123456789abcdef0123456789abcdef".getBytes());
    private static final String MIGRATIONS = "classpath:dev/tenancy/testkit/move";

    private final String suffix = UUID.randomUUID().toString().substring(0, 6);
    private TestDatabase database;
    private TenantCatalog catalog;
    private TenantDataSource dataSource;

    @BeforeEach
    void setUp() {
        database = TestDatabase.postgres();
        String role = database.applicationRole();
        catalog = TenantCatalog.inMemory(AuditLog.inMemory());
        dataSource = TenantDataSource.builder()
                .catalog(catalog)
                .server(DatabaseServer.of("default", database.jdbcUrl(), role, "")
                        .withOwner(database.user(), database.password())
                        .withDatabaseUrlTemplate(database.databaseUrlTemplate()))
                .signedBinding(KEY)
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

    private TenantId provision(String name, IsolationModel model) throws SQLException {
        TenantId id = TenantId.of(name + "-" + suffix);
        database.dropOnClose(id.databaseName());
        catalog.register(TenantRegistration.builder(id, name).isolation(model).build(), ADMIN);
        TenantProvisioner.builder()
                .catalog(catalog)
                .dataSource(dataSource)
                .platform(database.dataSource())
                .migrations(MIGRATIONS)
                .build()
                .provision(id, ADMIN);
        TenantContext.where(id).call(() -> {
            try (Connection c = dataSource.getConnection();
                    Statement s = c.createStatement()) {
                return s.executeUpdate("INSERT INTO people (tenant_id, name) VALUES ('" + id + "', 'first')");
            }
        });
        return id;
    }

    private List<String> query(TenantId as, String sql) throws SQLException {
        return TenantContext.where(as).call(() -> {
            List<String> rows = new ArrayList<>();
            try (Connection c = dataSource.getConnection();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
            }
            return rows;
        });
    }

    @Test
    @DisplayName("a database tenant moved into a schema is served by the application's role and closed to others")
    void movedIntoASchema_isClosedToOtherTenants() throws SQLException {
        TenantId acme = provision("acme", IsolationModel.DATABASE);
        TenantId globex = provision("globex", IsolationModel.SCHEMA);

        TenantMove.builder()
                .catalog(catalog)
                .dataSource(dataSource)
                .migrations(MIGRATIONS)
                .build()
                .move(acme, IsolationModel.SCHEMA, "default", ADMIN);

        assertThat(query(acme, "SELECT name FROM people")).containsExactly("first");
        assertThat(query(globex, "SELECT name FROM " + acme.schemaName() + ".people"))
                .as("globex naming acme's new schema")
                .isEmpty();
        assertThatThrownBy(() -> query(globex, "DROP TABLE " + acme.schemaName() + ".orders"))
                .isInstanceOf(SQLException.class);
    }
}
