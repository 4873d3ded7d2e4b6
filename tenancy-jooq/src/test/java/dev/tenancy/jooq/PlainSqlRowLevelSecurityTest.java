package dev.tenancy.jooq;

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
import dev.tenancy.provision.SharedTable;
import dev.tenancy.testkit.TestDatabase;
import java.sql.Connection;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Plain-SQL templates are text jOOQ does not parse, so Tenancy's predicates cannot reach them; on
 * PostgreSQL, row-level security on the shared tables scopes them in the database. The application
 * connects as a role that is neither the owner nor a superuser, as it must for row-level security.
 */
class PlainSqlRowLevelSecurityTest {
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");

    private TestDatabase database;
    private TenantDataSource dataSource;
    private String role;
    private DSLContext dsl;

    @BeforeEach
    void setUp() throws Exception {
        database = TestDatabase.postgres();
        role = database.applicationRole();
        database.execute("CREATE TABLE notes (id BIGINT PRIMARY KEY, tenant_id VARCHAR(48) NOT NULL, body TEXT)");
        database.execute("CREATE INDEX notes_tenant ON notes (tenant_id)");
        database.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON notes TO " + role);
        database.execute("INSERT INTO notes VALUES (1, 'acme', 'a1'), (2, 'acme', 'a2'), (3, 'globex', 'g1')");
        try (Connection owner = database.dataSource().getConnection()) {
            RowLevelSecurity.on("notes").apply(owner);
        }
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
        dsl = TenancyJooq.builder()
                .dataSource(dataSource)
                .dialect(SQLDialect.POSTGRES)
                .tenantTable(SharedTable.of("notes", "tenant_id"))
                .build()
                .dsl();
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

    @Test
    void plainSqlReads_seeOnlyTheCurrentTenant() {
        assertThat(TenantContext.where(ACME)
                        .call(() -> dsl.fetch("select body from notes order by body")
                                .getValues(0, String.class)))
                .containsExactly("a1", "a2");
        assertThat(TenantContext.where(GLOBEX)
                        .call(() -> dsl.resultQuery("select body from notes where id = {0}", 1L)
                                .fetch()))
                .as("another tenant's row by id")
                .isEmpty();
    }

    @Test
    void plainSqlWrites_reachOnlyTheCurrentTenant_andCannotForgeAnother() {
        assertThat(TenantContext.where(ACME).call(() -> dsl.execute("update notes set body = 'x'")))
                .isEqualTo(2);
        assertThatThrownBy(() -> TenantContext.where(ACME)
                        .call(() -> dsl.execute("insert into notes values (9, 'globex', 'forged')")))
                .isInstanceOf(DataAccessException.class)
                .hasMessageContaining("row-level security");
        assertThat(TenantContext.where(GLOBEX)
                        .call(() -> dsl.fetch("select body from notes").getValues(0, String.class)))
                .containsExactly("g1");
    }

    @Test
    void generatedSql_andRowLevelSecurity_agree() {
        assertThat(TenantContext.where(GLOBEX)
                        .call(() -> dsl.fetchCount(org.jooq.impl.DSL.table(org.jooq.impl.DSL.name("notes")))))
                .isEqualTo(1);
    }
}
