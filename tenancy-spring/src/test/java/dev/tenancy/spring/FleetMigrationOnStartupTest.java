package dev.tenancy.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.TenantId;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.provision.FleetMigration;
import dev.tenancy.provision.TenantProvisioner;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A release that adds migrations reaches the tenants provisioned by the one before: the context
 * migrates the fleet, and the shared model's tables, as it starts.
 */
class FleetMigrationOnStartupTest {
    private static final Actor OPS = Actor.system("test");
    private static final String TENANT = "classpath:dev/tenancy/testkit/tenant/";
    private static final String SHARED = "classpath:dev/tenancy/testkit/shared/";

    private final String url = "jdbc:h2:mem:restart-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    TenancyAutoConfiguration.class,
                    TenancyProvisioningAutoConfiguration.class,
                    DataSourceAutoConfiguration.class,
                    JdbcTemplateAutoConfiguration.class))
            .withPropertyValues("spring.datasource.url=" + url);

    private final TenantId acme = TenantId.of("acme");
    private final TenantId globex = TenantId.of("globex");

    /** Release 1: a shared tenant and a schema tenant, provisioned with the first migrations. */
    private void releaseOne() {
        runner.withPropertyValues(
                        "tenancy.provisioning.migrations=" + TENANT + "v1",
                        "tenancy.provisioning.shared-migrations=" + SHARED + "v1")
                .run(context -> {
                    TenantCatalog catalog = context.getBean(TenantCatalog.class);
                    TenantProvisioner provisioner = context.getBean(TenantProvisioner.class);
                    catalog.register(
                            TenantRegistration.builder(acme, "Acme")
                                    .isolation(IsolationModel.SHARED)
                                    .build(),
                            OPS);
                    catalog.register(
                            TenantRegistration.builder(globex, "Globex")
                                    .isolation(IsolationModel.SCHEMA)
                                    .build(),
                            OPS);
                    provisioner.provision(acme, OPS);
                    provisioner.provision(globex, OPS);
                    assertThat(context.getBean(FleetMigration.class).behind()).isEmpty();
                });
    }

    private static final String[] RELEASE_TWO = {
        "tenancy.provisioning.migrations=" + TENANT + "v1," + TENANT + "v2",
        "tenancy.provisioning.shared-migrations=" + SHARED + "v1," + SHARED + "v2"
    };

    @Test
    void theNextRelease_migratesEveryTenantAndTheSharedTables_beforeTheContextIsReady() {
        releaseOne();

        runner.withPropertyValues(RELEASE_TWO).run(context -> {
            assertThat(context).hasNotFailed();
            JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
            assertThat(TenantContext.where(globex).call(() -> jdbc.queryForList("SELECT name FROM tags", String.class)))
                    .containsExactly("migrated");
            assertThat(TenantContext.where(acme).call(() -> {
                        jdbc.update("INSERT INTO labels (tenant_id, id, name) VALUES ('acme', 1, 'urgent')");
                        return jdbc.queryForList("SELECT color FROM labels WHERE tenant_id = 'acme'", String.class);
                    }))
                    .containsExactly("grey");
            assertThat(context.getBean(FleetMigration.class).behind()).isEmpty();
        });
    }

    @Test
    void migrateOnStartupOff_leavesTheFleetBehind_forTheApplicationToMigrate() {
        releaseOne();

        runner.withPropertyValues(RELEASE_TWO)
                .withPropertyValues("tenancy.provisioning.migrate-on-startup=false")
                .run(context -> {
                    assertThat(context).doesNotHaveBean(FleetMigrationOnStartup.class);
                    assertThat(context.getBean(FleetMigration.class).behind())
                            .extracting(t -> t.id())
                            .containsExactly(globex);
                });
    }

    @Test
    void aTenantWhoseMigrationFails_doesNotStopTheStart_andIsServedReadOnlyWhenConfigured() throws Exception {
        releaseOne();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "sa", "");
                java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE TABLE \"" + globex.schemaName() + "\".tags (blocking INT)"); // V2 creates tags
        }

        runner.withPropertyValues(RELEASE_TWO).run(context -> {
            assertThat(context).hasNotFailed();
            JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
            assertThat(context.getBean(FleetMigration.class).behind())
                    .extracting(t -> t.id())
                    .containsExactly(globex);
            assertThatThrownBy(() -> TenantContext.where(globex)
                            .call(() -> jdbc.queryForObject("SELECT COUNT(*) FROM notes", Integer.class)))
                    .hasRootCauseMessage("Tenant 'globex' is not served: its last migration failed (2). Fix the"
                            + " migration and rerun the fleet migration for it.");
        });
        runner.withPropertyValues(RELEASE_TWO)
                .withPropertyValues("tenancy.data-source.failed-migration-read-only=true")
                .run(context -> {
                    JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
                    assertThat(TenantContext.where(globex)
                                    .call(() -> jdbc.queryForObject("SELECT COUNT(*) FROM notes", Integer.class)))
                            .isZero();
                    assertThatThrownBy(() -> TenantContext.where(globex)
                                    .call(() -> jdbc.update(
                                            "INSERT INTO notes (tenant_id, id, body) VALUES ('globex', 1, 'x')")))
                            .rootCause()
                            .hasMessageContaining("read-only");
                });
    }

    @Test
    void anApplicationWithoutTenantMigrations_getsNoHistoryTableInItsTenants() throws Exception {
        runner.withPropertyValues("tenancy.provisioning.migrations=classpath:no/such/location")
                .run(context -> context.getBean(TenantCatalog.class)
                        .register(
                                TenantRegistration.builder(globex, "Globex")
                                        .isolation(IsolationModel.SCHEMA)
                                        .active()
                                        .build(),
                                OPS));
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "sa", "");
                java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA \"" + globex.schemaName() + "\"");
        }

        runner.withPropertyValues("tenancy.provisioning.migrations=classpath:no/such/location")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(FleetMigration.class).behind()).isEmpty();
                });

        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "sa", "");
                java.sql.ResultSet rs = c.getMetaData().getTables(null, globex.schemaName(), "%", null)) {
            assertThat(rs.next())
                    .as("no table was created in the tenant's schema")
                    .isFalse();
        }
    }
}
