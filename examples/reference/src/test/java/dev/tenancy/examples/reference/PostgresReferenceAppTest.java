package dev.tenancy.examples.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reference app on PostgreSQL exactly as its {@code postgres} profile runs it: the recommended
 * set-up, with the roles created at start, so the application's own SQL is held by the database.
 */
class PostgresReferenceAppTest extends ReferenceAppContract {
    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }

    @Override
    List<String> arguments() {
        return List.of("--spring.profiles.active=postgres");
    }

    private Connection asTenantRole() throws SQLException {
        return DriverManager.getConnection(testDatabase().jdbcUrl(), "tenancy_app", "");
    }

    @Test
    void tenantsConnectAsARoleThatOwnsNothing_soTheSharedTableShowsNoRowWithoutABinding() throws Exception {
        try (Connection admin = testDatabase().dataSource().getConnection();
                Statement s = admin.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT tenant_id) FROM campaigns")) {
            rs.next();
            assertThat(rs.getLong(2))
                    .as("the demo's shared tenants have campaigns")
                    .isGreaterThanOrEqualTo(2);
        }
        try (Connection tenant = asTenantRole();
                Statement s = tenant.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM campaigns")) {
                rs.next();
                assertThat(rs.getLong(1))
                        .as("row-level security binds the application's role")
                        .isZero();
            }
            try (ResultSet rs =
                    s.executeQuery("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")) {
                rs.next();
                assertThat(rs.getBoolean(1)).isFalse();
            }
            s.execute("SELECT set_config('tenancy.tenant_id', 'globex', false)");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM campaigns")) {
                rs.next();
                assertThat(rs.getLong(1))
                        .as("an unsigned setting names no tenant: bindings are signed")
                        .isZero();
            }
        }
    }

    @Test
    void identitySequences_areOutOfReach_yetInsertsNumberRows() throws Exception {
        try (Connection tenant = asTenantRole();
                Statement s = tenant.createStatement()) {
            for (String sql : List.of(
                    "SELECT last_value FROM public.campaigns_id_seq",
                    "SELECT nextval('public.campaigns_id_seq')",
                    "SELECT last_value FROM t_globex.campaigns_id_seq",
                    "SELECT nextval('t_globex.campaigns_id_seq')")) {
                assertThatThrownBy(() -> s.execute(sql))
                        .as(sql)
                        .isInstanceOf(SQLException.class)
                        .hasMessageContaining("permission denied");
            }
        }
        // Creating campaigns (identity ids) works all the same: see the campaign tests of the contract.
    }

    @Test
    void thePlatformsTables_areOutOfReachOfTheTenantsRole() throws Exception {
        try (Connection tenant = asTenantRole();
                Statement s = tenant.createStatement()) {
            for (String sql : List.of(
                    "SELECT count(*) FROM tenancy.tenancy_tenants",
                    "SELECT count(*) FROM tenancy.tenancy_audit_events",
                    "UPDATE tenancy.tenancy_tenants SET tier = 'pwned' WHERE id = 'globex'",
                    "INSERT INTO tenancy.tenancy_invitations (id) VALUES ('x')")) {
                assertThatThrownBy(() -> s.execute(sql))
                        .as(sql)
                        .isInstanceOf(SQLException.class)
                        .hasMessageContaining("permission denied");
            }
        }
    }
}
