package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.TenantDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * pgJDBC server-prepares a statement after {@code prepareThreshold} uses and reuses the plan. Two
 * tenants whose tables differ in shape (a rolling migration reached one of them) run the same SQL
 * on the same physical connection: neither may get the other's rows, and no statement may fail with
 * "cached plan must not change result type", also inside a transaction.
 */
class PreparedStatementAcrossSchemasTest {
    private TestDatabase database;
    private TenantDataSource dataSource;
    private final TenantId old = TenantId.of("old-shape");
    private final TenantId migrated = TenantId.of("new-shape");

    @BeforeEach
    void setUp() {
        database = TestDatabase.postgres();
        database.execute("CREATE SCHEMA " + old.schemaName());
        database.execute("CREATE TABLE " + old.schemaName() + ".items (id INT, name TEXT)");
        database.execute("INSERT INTO " + old.schemaName() + ".items VALUES (1, 'old')");
        database.execute("CREATE SCHEMA " + migrated.schemaName());
        database.execute("CREATE TABLE " + migrated.schemaName() + ".items (id INT, name TEXT, sku TEXT)");
        database.execute("INSERT INTO " + migrated.schemaName() + ".items VALUES (1, 'new', 'S-1')");
        TenantCatalog catalog = TenantCatalog.inMemory(AuditLog.inMemory());
        for (TenantId id : List.of(old, migrated)) {
            catalog.register(
                    TenantRegistration.builder(id, id.value())
                            .isolation(IsolationModel.SCHEMA)
                            .active()
                            .build(),
                    Actor.system("test"));
        }
        String url = database.jdbcUrl() + (database.jdbcUrl().contains("?") ? "&" : "?") + "prepareThreshold=1";
        dataSource = TenantDataSource.builder()
                .allowInsecureRole() // connects as the test server's superuser
                .catalog(catalog)
                .server(DatabaseServer.of("default", url, database.user(), database.password())
                        .withMaximumPoolSize(1))
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

    private List<String> selectAll(TenantId tenant) throws Exception {
        return TenantContext.where(tenant).call(() -> {
            try (Connection c = dataSource.getConnection()) {
                // Inside a transaction: in auto-commit mode pgJDBC heals a stale plan by retrying,
                // inside one the failure would abort the transaction (25P02).
                c.setAutoCommit(false);
                List<String> rows = selectAll(c);
                c.commit();
                return rows;
            }
        });
    }

    private static List<String> selectAll(Connection c) throws java.sql.SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT * FROM items WHERE id = ?")) {
            s.setInt(1, 1);
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.append(i > 1 ? "," : "").append(rs.getString(i));
                    }
                    rows.add(row.toString());
                }
            }
            return rows;
        }
    }

    @Test
    void sameSqlAcrossDifferentlyShapedSchemas_neverMixesOrFails() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertThat(selectAll(old)).containsExactly("1,old");
            assertThat(selectAll(migrated)).containsExactly("1,new,S-1");
        }
    }
}
