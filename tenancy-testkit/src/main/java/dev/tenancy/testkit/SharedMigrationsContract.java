package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.TenantId;
import dev.tenancy.TenantStatus;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.provision.FleetMigration;
import dev.tenancy.provision.FleetReport;
import dev.tenancy.provision.ProvisioningException;
import dev.tenancy.provision.TenantProvisioner;
import dev.tenancy.provision.TenantSeed;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shared model's tables, migrated by the library: once per server that holds shared-model
 * tenants, before the first of them is seeded there, and again by a fleet migration for each later
 * release. Two servers, {@code main} (also the platform database, so its schema already holds the
 * control plane's tables) and {@code second}.
 */
public abstract class SharedMigrationsContract {

    protected abstract TestDatabase.Kind kind();

    protected static final String SHARED_V1 = "classpath:dev/tenancy/testkit/shared/v1";
    protected static final String SHARED_V2 = "classpath:dev/tenancy/testkit/shared/v2";
    private static final String TENANT_V1 = "classpath:dev/tenancy/testkit/tenant/v1";
    private static final Actor ADMIN = Actor.user("u-1", "system_admin");

    private TestDatabase main;
    private TestDatabase second;
    private TenantCatalog catalog;
    private TenantDataSource dataSource;
    private final String suffix = UUID.randomUUID().toString().substring(0, 6);

    @BeforeEach
    void setUp() {
        main = TestDatabase.of(kind());
        second = TestDatabase.of(kind());
        catalog = TenantCatalog.inMemory(AuditLog.inMemory(), MutableClock.atStartOf2026());
        dataSource = TenantDataSource.builder()
                .allowInsecureRole() // connects as the test server's superuser
                .catalog(catalog)
                .server(DatabaseServer.of("main", main.jdbcUrl(), main.user(), main.password()))
                .server(DatabaseServer.of("second", second.jdbcUrl(), second.user(), second.password()))
                .build();
    }

    @AfterEach
    void tearDown() {
        dataSource.close();
        second.close();
        main.close();
    }

    /** Gives each new tenant one label: the shared table must exist on its server before the seed runs. */
    private static final TenantSeed FIRST_LABEL = (tenant, c) -> {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO labels (tenant_id, id, name) VALUES (?, 1, ?)")) {
            s.setString(1, tenant.id().value());
            s.setString(2, "first label of " + tenant.displayName());
            s.executeUpdate();
        }
    };

    private TenantProvisioner.Builder provisioner() {
        return TenantProvisioner.builder()
                .catalog(catalog)
                .dataSource(dataSource)
                .platform(main.dataSource())
                .migrations(TENANT_V1)
                .sharedMigrations(SHARED_V1)
                .seed(FIRST_LABEL);
    }

    /** Registers {@code name} (made unique) with {@code model} on {@code server}, pending approval. */
    private TenantId register(String name, IsolationModel model, String server) {
        TenantId id = TenantId.of(name + "-" + suffix);
        catalog.register(
                TenantRegistration.builder(id, name)
                        .isolation(model)
                        .server(server)
                        .build(),
                ADMIN);
        return id;
    }

    private TenantId provisionShared(String name, String server) {
        TenantId id = register(name, IsolationModel.SHARED, server);
        provisioner().build().provision(id, ADMIN);
        return id;
    }

    /** The tenant's labels, each as {@code select} (an SQL expression over the labels table) gives it. */
    private List<String> labels(TenantId id, String select) throws Exception {
        return TenantContext.where(id).call(() -> {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement s = c.prepareStatement("SELECT " + select + " FROM labels WHERE tenant_id = ?")) {
                s.setString(1, id.value());
                List<String> rows = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        rows.add(rs.getString(1));
                    }
                }
                return rows;
            }
        });
    }

    /** The versions in a server's shared migration history, baseline included, in order. */
    private static List<String> history(TestDatabase database) {
        return query(
                database.dataSource(),
                "SELECT \"version\" FROM \"shared_schema_history\" WHERE \"success\" AND \"version\" IS NOT NULL ORDER BY \"installed_rank\"");
    }

    private static List<String> query(DataSource dataSource, String sql) {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            List<String> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
            return rows;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void provisioningASharedTenant_migratesItsServersSharedTablesBeforeTheSeed_oncePerServer() throws Exception {
        TenantId acme = provisionShared("acme", "main");
        TenantId hooli = provisionShared("hooli", "main");
        TenantId globex = provisionShared("globex", "second");

        assertThat(catalog.find(acme).orElseThrow().status()).isEqualTo(TenantStatus.ACTIVE);
        assertThat(labels(acme, "name")).containsExactly("first label of acme");
        assertThat(labels(hooli, "name")).containsExactly("first label of hooli");
        assertThat(labels(globex, "name")).containsExactly("first label of globex");
        // The control plane's tables live in a schema of their own (tenancy), so the platform
        // database's default schema was as empty as the second server's: V1 alone on both.
        assertThat(history(main)).containsExactly("1");
        assertThat(history(second)).containsExactly("1");
    }

    @Test
    void aSchemaTenant_doesNotMigrateTheSharedTables() {
        TenantId id = register("schema", IsolationModel.SCHEMA, "second");
        TenantProvisioner.builder()
                .catalog(catalog)
                .dataSource(dataSource)
                .platform(main.dataSource())
                .migrations(TENANT_V1)
                .sharedMigrations(SHARED_V1)
                .build()
                .provision(id, ADMIN);

        assertThat(query(
                        second.dataSource(),
                        "SELECT COUNT(*) FROM information_schema.tables" + " WHERE LOWER(table_name) = 'labels'"))
                .containsExactly("0");
    }

    @Test
    void aSchemaTenant_withNoTenantMigrationAtTheLocations_getsAnEmptySchema_withoutAHistoryTable() throws Exception {
        TenantId id = register("bare", IsolationModel.SCHEMA, "second");
        TenantProvisioner.builder()
                .catalog(catalog)
                .dataSource(dataSource)
                .platform(main.dataSource())
                .migrations("classpath:dev/tenancy/testkit/no-such-location")
                .build()
                .provision(id, ADMIN);

        assertThat(catalog.find(id).orElseThrow().status()).isEqualTo(TenantStatus.ACTIVE);
        try (Connection c = second.dataSource().getConnection();
                ResultSet rs = c.getMetaData().getTables(null, id.schemaName(), "%", new String[] {"TABLE"})) {
            List<String> tables = new ArrayList<>();
            while (rs.next()) {
                tables.add(rs.getString("TABLE_NAME").toLowerCase(java.util.Locale.ROOT));
            }
            assertThat(tables).containsOnly("tenancy_seeded"); // the seed marker, nothing else
        }
    }

    @Test
    void withoutSharedMigrations_aSeedThatNeedsTheSharedTableFails_andTheTenantIsNotActivated() {
        TenantId id = register("early", IsolationModel.SHARED, "second");
        TenantProvisioner bare = TenantProvisioner.builder()
                .catalog(catalog)
                .dataSource(dataSource)
                .platform(main.dataSource())
                .seed(FIRST_LABEL)
                .build();

        assertThatThrownBy(() -> bare.provision(id, ADMIN)).isInstanceOf(ProvisioningException.class);
        assertThat(catalog.find(id).orElseThrow().status()).isEqualTo(TenantStatus.PENDING_APPROVAL);
        // Resumed by a provisioner that migrates the shared tables: the seed then runs.
        provisioner().build().provision(id, ADMIN);
        assertThat(catalog.find(id).orElseThrow().status()).isEqualTo(TenantStatus.ACTIVE);
    }

    private FleetMigration.Builder fleet() {
        return FleetMigration.builder()
                .catalog(catalog)
                .dataSource(dataSource)
                .platform(main.dataSource())
                .sharedMigrations(SHARED_V1, SHARED_V2);
    }

    @Test
    void aFleetRun_migratesTheSharedTablesOnEachServerHoldingSharedTenants_thenSkipsThem() throws Exception {
        TenantId acme = provisionShared("acme", "main");
        TenantId globex = provisionShared("globex", "second");

        FleetReport report = fleet().build().run();

        assertThat(report.shared())
                .extracting(FleetReport.SharedOutcome::server, FleetReport.SharedOutcome::result, o -> o.version())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("main", FleetReport.Result.MIGRATED, "2"),
                        org.assertj.core.groups.Tuple.tuple("second", FleetReport.Result.MIGRATED, "2"));
        assertThat(report.complete()).isTrue();
        assertThat(labels(acme, "name || '/' || color")).containsExactly("first label of acme/grey");
        assertThat(labels(globex, "name || '/' || color")).containsExactly("first label of globex/grey");

        FleetReport again = fleet().build().run();
        assertThat(again.shared())
                .extracting(FleetReport.SharedOutcome::result)
                .containsExactly(FleetReport.Result.SKIPPED, FleetReport.Result.SKIPPED);
        assertThat(again.toString()).contains("shared tables: main skipped second skipped");
    }

    @Test
    void aServerWithNoSharedTenant_isLeftAlone() throws Exception {
        provisionShared("acme", "main");

        FleetReport report = fleet().build().run();

        assertThat(report.shared())
                .extracting(FleetReport.SharedOutcome::server)
                .containsExactly("main");
        assertThat(query(
                        second.dataSource(),
                        "SELECT COUNT(*) FROM information_schema.tables"
                                + " WHERE LOWER(table_name) IN ('labels', 'shared_schema_history')"))
                .containsExactly("0");
    }

    @Test
    void aFailingSharedMigration_stopsTheRunBeforeAnyTenant_andTheSharedTenantsAreServedAsBefore() throws Exception {
        TenantId acme = provisionShared("acme", "main");
        TenantId globex = provisionShared("globex", "second");
        TenantId schema = register("schema", IsolationModel.SCHEMA, "main");
        provisioner().seed(TenantSeed.none()).build().provision(schema, ADMIN);
        second.execute("ALTER TABLE labels ADD COLUMN color VARCHAR(16)"); // V2 now fails on 'second'

        FleetReport report = fleet().migrations(TENANT_V1).build().run();

        assertThat(report.stopped()).isTrue();
        assertThat(report.complete()).isFalse();
        assertThat(report.shared())
                .filteredOn(o -> o.result() == FleetReport.Result.FAILED)
                .singleElement()
                .satisfies(o -> {
                    assertThat(o.server()).isEqualTo("second");
                    assertThat(o.error()).isNotBlank();
                });
        assertThat(report.outcomes())
                .singleElement()
                .satisfies(o -> assertThat(o.result()).isEqualTo(FleetReport.Result.NOT_RUN));
        assertThat(labels(acme, "name")).containsExactly("first label of acme");
        assertThat(labels(globex, "name")).containsExactly("first label of globex");
        assertThat(catalog.find(globex).orElseThrow().attributes())
                .doesNotContainKey(TenantDataSource.MIGRATION_FAILED);

        second.execute("ALTER TABLE labels DROP COLUMN color");
        if (kind() == TestDatabase.Kind.H2) {
            second.execute("DELETE FROM \"shared_schema_history\" WHERE NOT \"success\""); // no transactional DDL
        }
        FleetReport fixed = fleet().migrations(TENANT_V1).build().run();
        assertThat(fixed.complete()).as(fixed.toString()).isTrue();
        assertThat(labels(globex, "name || '/' || color")).containsExactly("first label of globex/grey");
    }

    @Test
    void blankLocationsAndAnEmptyFleetMigration_areRefusedNamingTheFix() {
        assertThatThrownBy(() -> TenantProvisioner.builder().sharedMigrations(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sharedMigrations location is blank")
                .hasMessageContaining("classpath:db/tenant");
        assertThatThrownBy(() -> FleetMigration.builder().migrations((String) null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("migrations location is null");
        assertThatThrownBy(() -> FleetMigration.builder()
                        .catalog(catalog)
                        .dataSource(dataSource)
                        .platform(main.dataSource())
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sharedMigrations(...)");
    }
}
