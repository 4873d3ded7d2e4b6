package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.TenantStatus;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.JdbcTenantCatalog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.TenantDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The role tenants connect as is checked before a tenant is served (PostgreSQL): a role that row-level
 * security does not bind, one that owns what keeps tenants apart, and one that reaches the platform's
 * own tables are refused with an error naming the role, what is wrong and the fix, unless the
 * application accepts the risk explicitly.
 */
class ConnectionRoleTest {
    private static final Actor ADMIN = Actor.user("u-1", "system_admin");
    private static final TenantId ACME = TenantId.of("acme");

    private TestDatabase database;
    private TenantCatalog catalog;
    private TenantDataSource dataSource;
    private String app;

    @BeforeEach
    void setUp() {
        database = TestDatabase.postgres();
        app = database.applicationRole();
        database.execute("GRANT USAGE ON SCHEMA public TO " + app);
        // The platform's tables, installed by the platform's user (here the test's owner), in schema tenancy.
        catalog = JdbcTenantCatalog.builder(database.dataSource())
                .auditLog(AuditLog.inMemory())
                .build();
        catalog.register(TenantRegistration.builder(ACME, "Acme").build(), ADMIN);
        catalog.transition(ACME, TenantStatus.ACTIVE, ADMIN, "test");
    }

    @AfterEach
    void tearDown() {
        if (dataSource != null) {
            dataSource.close();
        }
        database.close();
    }

    private TenantDataSource.Builder as(String user) {
        return TenantDataSource.builder()
                .catalog(catalog)
                .server(DatabaseServer.of("default", database.jdbcUrl(), user, "")
                        .withOwner(database.user(), database.password())
                        .withMaximumPoolSize(2));
    }

    private void borrowAsAcme() throws SQLException {
        try (Connection c = TenantContext.where(ACME).call(dataSource::getConnection);
                Statement s = c.createStatement()) {
            s.execute("SELECT 1");
        }
    }

    @Test
    void a_role_that_owns_nothing_and_cannot_reach_the_platform_is_served() {
        dataSource = as(app).build();
        assertThatCode(dataSource::checkRoles).doesNotThrowAnyException();
        assertThatCode(this::borrowAsAcme).doesNotThrowAnyException();
    }

    @Test
    void a_superuser_is_refused_at_start_and_at_the_first_borrow() {
        dataSource = as(database.user()).build();
        assertThatThrownBy(dataSource::checkRoles)
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("log in as role '" + database.user() + "'")
                .hasMessageContaining("superuser")
                .hasMessageContaining("allowInsecureRole()")
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"));
        assertThatThrownBy(this::borrowAsAcme).hasMessageContaining("superuser");
    }

    @Test
    void membership_in_a_superuser_or_bypassrls_role_counts_as_being_one() {
        String bypass = "tenancy_bypass_" + System.nanoTime();
        database.execute("CREATE ROLE " + bypass + " NOLOGIN BYPASSRLS");
        try {
            database.execute("GRANT " + bypass + " TO " + app);
            dataSource = as(app).build();
            assertThatThrownBy(dataSource::checkRoles)
                    .hasMessageContaining("BYPASSRLS")
                    .hasMessageContaining(bypass);
        } finally {
            database.execute("REVOKE " + bypass + " FROM " + app);
            database.execute("DROP ROLE " + bypass);
        }
    }

    @Test
    void a_role_owning_a_table_or_a_schema_is_refused() {
        database.execute("CREATE TABLE notes (id int)");
        database.execute("ALTER TABLE notes OWNER TO " + app);
        dataSource = as(app).build();
        assertThatThrownBy(dataSource::checkRoles).hasMessageContaining("owns public.notes");

        database.execute("DROP TABLE notes");
        database.execute("CREATE SCHEMA t_mine AUTHORIZATION " + app);
        dataSource.close();
        dataSource = as(app).build();
        assertThatThrownBy(dataSource::checkRoles).hasMessageContaining("owns schema t_mine");
    }

    @Test
    void a_role_that_can_read_or_write_a_platform_table_is_refused() {
        database.execute("GRANT SELECT ON tenancy.tenancy_tenants TO " + app);
        dataSource = as(app).build();
        assertThatThrownBy(dataSource::checkRoles)
                .hasMessageContaining("can read or write the platform's tenancy.tenancy_tenants");
        assertThatThrownBy(this::borrowAsAcme).hasMessageContaining("tenancy.tenancy_tenants");

        database.execute("REVOKE SELECT ON tenancy.tenancy_tenants FROM " + app);
        database.execute("CREATE TABLE public.tenancy_tenants_copy (id text)");
        database.execute("GRANT INSERT ON public.tenancy_tenants_copy TO " + app);
        dataSource.close();
        dataSource = as(app).build();
        assertThatThrownBy(dataSource::checkRoles).hasMessageContaining("public.tenancy_tenants_copy");
    }

    @Test
    void allowing_an_insecure_role_serves_it() {
        dataSource = as(database.user()).allowInsecureRole().build();
        assertThatCode(dataSource::checkRoles).doesNotThrowAnyException();
        assertThatCode(this::borrowAsAcme).doesNotThrowAnyException();
    }
}
