package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.TenantDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A new tenant goes to the configured server holding the fewest tenants of its isolation model. */
class PlacementTest {
    private TestDatabase first;
    private TestDatabase second;
    private TenantCatalog catalog;
    private TenantDataSource dataSource;

    @BeforeEach
    void setUp() {
        first = TestDatabase.h2();
        second = TestDatabase.h2();
        catalog = TenantCatalog.inMemory(AuditLog.inMemory());
        dataSource = TenantDataSource.builder()
                .allowInsecureRole() // connects as the test server's superuser
                .catalog(catalog)
                .server(DatabaseServer.of("eu-1", first.jdbcUrl(), first.user(), first.password()))
                .server(DatabaseServer.of("eu-2", second.jdbcUrl(), second.user(), second.password())
                        .withDatabaseUrlTemplate(second.databaseUrlTemplate()))
                .build();
    }

    @AfterEach
    void tearDown() {
        dataSource.close();
        first.close();
        second.close();
    }

    private void register(String id, IsolationModel isolation, String server) {
        catalog.register(
                TenantRegistration.builder(TenantId.of(id), id)
                        .isolation(isolation)
                        .server(server)
                        .build(),
                Actor.system("test"));
    }

    @Test
    void emptyFleet_goesToTheFirstConfiguredServer() {
        assertThat(dataSource.place(IsolationModel.SCHEMA)).isEqualTo("eu-1");
        assertThat(dataSource.place(IsolationModel.SHARED)).isEqualTo("eu-1");
    }

    @Test
    void fewestTenantsOfTheSameModelWins() {
        register("a", IsolationModel.SCHEMA, "eu-1");
        assertThat(dataSource.place(IsolationModel.SCHEMA)).isEqualTo("eu-2");

        register("b", IsolationModel.SCHEMA, "eu-2");
        register("c", IsolationModel.SCHEMA, "eu-2");
        assertThat(dataSource.place(IsolationModel.SCHEMA)).isEqualTo("eu-1");
    }

    @Test
    void otherModelsAndUnconfiguredServersDoNotCount() {
        register("a", IsolationModel.SHARED, "eu-1");
        register("b", IsolationModel.SHARED, "eu-1");
        register("c", IsolationModel.SCHEMA, "retired-server");
        assertThat(dataSource.place(IsolationModel.SCHEMA)).isEqualTo("eu-1");
        assertThat(dataSource.place(IsolationModel.SHARED)).isEqualTo("eu-2");
    }

    @Test
    void tenantDatabases_goOnlyToServersThatCanCreateThem() {
        assertThat(dataSource.place(IsolationModel.DATABASE)).isEqualTo("eu-2");
        register("a", IsolationModel.DATABASE, "eu-2");
        register("b", IsolationModel.DATABASE, "eu-2");
        assertThat(dataSource.place(IsolationModel.DATABASE)).isEqualTo("eu-2");
    }

    @Test
    void noServerForTenantDatabases_isAClearError() {
        try (TenantDataSource schemaOnly = TenantDataSource.builder()
                .allowInsecureRole() // connects as the test server's superuser
                .catalog(catalog)
                .server(DatabaseServer.of("eu-1", first.jdbcUrl(), first.user(), first.password()))
                .build()) {
            assertThatThrownBy(() -> schemaOnly.place(IsolationModel.DATABASE))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("database URL template");
        }
    }
}
