package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.TenantStatus;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.AuditQuery;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.provision.ExpiryReport;
import dev.tenancy.provision.FleetMigration;
import dev.tenancy.provision.FleetReport;
import dev.tenancy.provision.ProvisioningException;
import dev.tenancy.provision.ProvisioningInProgressException;
import dev.tenancy.provision.ProvisioningStep;
import dev.tenancy.provision.TenantOffboarding;
import dev.tenancy.provision.TenantProvisioner;
import dev.tenancy.provision.TenantSeed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Provisioning, fleet migrations and offboarding, for every isolation model: crash after any step
 * and provisioning resumes; one tenant is never provisioned twice at once; a failing canary stops a
 * fleet run; an interrupted run resumes; export then purge removes exactly one tenant's data.
 */
public abstract class ProvisioningContract {

    protected abstract TestDatabase.Kind kind();

    protected static final String V1 = "classpath:dev/tenancy/testkit/tenant/v1";
    protected static final String V2 = "classpath:dev/tenancy/testkit/tenant/v2";
    private static final Actor ADMIN = Actor.user("u-1", "system_admin");

    private TestDatabase database;
    private MutableClock clock;
    private AuditLog audit;
    private TenantCatalog catalog;
    private TenantDataSource dataSource;
    private final String suffix = UUID.randomUUID().toString().substring(0, 6);

    @BeforeEach
    void setUp() {
        database = TestDatabase.of(kind());
        clock = MutableClock.atStartOf2026();
        audit = AuditLog.inMemory();
        catalog = TenantCatalog.inMemory(audit, clock);
        // The shared model's table: the host migrates it once, not per tenant.
        database.execute("CREATE TABLE notes (tenant_id VARCHAR(48) NOT NULL, id INT NOT NULL,"
                + " body VARCHAR(200) NOT NULL, PRIMARY KEY (tenant_id, id))");
        dataSource = dataSource(false);
    }

    @AfterEach
    void tearDown() {
        if (dataSource != null) { // null when set-up was skipped (no pooler here)
            dataSource.close();
        }
        database.close();
    }

    /** The server the tenants live on (a subclass may reach it through a pooler). */
    protected DatabaseServer server(TestDatabase database) {
        return DatabaseServer.of("default", database.jdbcUrl(), database.user(), database.password())
                .withDatabaseUrlTemplate(database.databaseUrlTemplate());
    }

    private TenantDataSource dataSource(boolean failedMigrationReadOnly) {
        return TenantDataSource.builder()
                .allowInsecureRole() // connects as the test server's superuser
                .catalog(catalog)
                .server(server(database))
                .failedMigrationReadOnly(failedMigrationReadOnly)
                .build();
    }

    private static final TenantSeed WELCOME = (tenant, c) -> {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO notes (tenant_id, id, body) VALUES (?, 1, ?)")) {
            s.setString(1, tenant.id().value());
            s.setString(2, "welcome to " + tenant.displayName());
            s.executeUpdate();
        }
    };

    private TenantProvisioner.Builder provisioner() {
        return TenantProvisioner.builder()
                .catalog(catalog)
                .dataSource(dataSource)
                .platform(database.dataSource())
                .migrations(V1)
                .seed(WELCOME)
                .clock(clock);
    }

    private TenantId register(String name, IsolationModel model) {
        TenantId id = TenantId.of(name + "-" + suffix);
        catalog.register(TenantRegistration.builder(id, name).isolation(model).build(), ADMIN);
        if (model == IsolationModel.DATABASE) {
            database.dropOnClose(id.databaseName()); // provisioning creates it
        }
        return id;
    }

    private List<String> notes(TenantId id) throws Exception {
        return TenantContext.where(id).call(() -> {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement s = c.prepareStatement("SELECT body FROM notes WHERE tenant_id = ?")) {
                s.setString(1, id.value());
                List<String> bodies = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        bodies.add(rs.getString(1));
                    }
                }
                return bodies;
            }
        });
    }

    /** Thrown by a listener to stand for the process dying: nothing catches an Error on the way out. */
    static final class Crash extends Error {
        Crash(String message) {
            super(message);
        }
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void provision_createsMigratesSeedsThenActivates(IsolationModel model) throws Exception {
        TenantId id = register("fresh", model);
        Tenant tenant = provisioner().build().provision(id, ADMIN);

        assertThat(tenant.status()).isEqualTo(TenantStatus.ACTIVE);
        assertThat(notes(id)).containsExactly("welcome to fresh");
        assertThat(audit.query(AuditQuery.builder().tenant(id).build()).items())
                .extracting(e -> e.metadata().get("to"))
                .contains("active");
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void anErrorAfterAnyStep_leavesTheTenantInactive_andProvisioningAgainResumes(IsolationModel model)
            throws Exception {
        for (ProvisioningStep crashAfter : ProvisioningStep.values()) {
            TenantId id = register("crash-" + crashAfter.name().toLowerCase(java.util.Locale.ROOT), model);
            AtomicBoolean crashed = new AtomicBoolean();
            TenantProvisioner failing = provisioner()
                    .listener((tenant, step) -> {
                        if (step == crashAfter && crashed.compareAndSet(false, true)) {
                            throw new IllegalStateException("injected failure after " + step);
                        }
                    })
                    .build();

            assertThatThrownBy(() -> failing.provision(id, ADMIN))
                    .isInstanceOf(ProvisioningException.class)
                    .hasMessageContaining(id.value())
                    .hasMessageContaining("injected failure after " + crashAfter);
            assertThat(catalog.find(id).orElseThrow().status())
                    .as("after a failure at %s", crashAfter)
                    .isEqualTo(
                            crashAfter == ProvisioningStep.ACTIVATION
                                    ? TenantStatus.ACTIVE // activated, but not yet recorded as done
                                    : TenantStatus.PENDING_APPROVAL);
            assertThat(failing.lastError(id))
                    .hasValueSatisfying(e -> assertThat(e).contains("injected"));

            Tenant resumed = failing.provision(id, ADMIN);

            assertThat(resumed.status()).as("after a failure at %s", crashAfter).isEqualTo(TenantStatus.ACTIVE);
            assertThat(notes(id))
                    .as("seeded exactly once after a failure at %s", crashAfter)
                    .containsExactly(
                            "welcome to " + id.value().substring(0, id.value().lastIndexOf('-')));
        }
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void aCrashHoldingTheLease_blocksOthersUntilItExpires_thenTheyResume(IsolationModel model) throws Exception {
        TenantId id = register("dies", model);
        TenantProvisioner dying = provisioner()
                .lease(Duration.ofMinutes(5))
                .listener((tenant, step) -> {
                    if (step == ProvisioningStep.MIGRATIONS) {
                        throw new Crash("process died after migrating");
                    }
                })
                .build();
        assertThatThrownBy(() -> dying.provision(id, ADMIN)).isInstanceOf(Crash.class);
        TenantProvisioner other = provisioner().lease(Duration.ofMinutes(5)).build();

        assertThatThrownBy(() -> other.provision(id, ADMIN))
                .isInstanceOf(ProvisioningInProgressException.class)
                .hasMessageContaining(id.value())
                .hasMessageContaining("lease until");

        clock.advance(Duration.ofMinutes(6));
        assertThat(other.provision(id, ADMIN).status()).isEqualTo(TenantStatus.ACTIVE);
        assertThat(notes(id)).hasSize(1);
    }

    @Test
    void twoConcurrentProvisioningsOfOneTenant_oneRunsTheOtherIsRefused() throws Exception {
        TenantId id = register("racing", IsolationModel.SCHEMA);
        CountDownLatch inStorage = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TenantProvisioner slow = provisioner()
                .listener((tenant, step) -> {
                    if (step == ProvisioningStep.STORAGE) {
                        inStorage.countDown();
                        try {
                            release.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                })
                .build();
        try (ExecutorService pool = Executors.newSingleThreadExecutor()) {
            Future<Tenant> first = pool.submit(() -> slow.provision(id, ADMIN));
            assertThat(inStorage.await(10, TimeUnit.SECONDS)).isTrue();

            assertThatThrownBy(() -> provisioner().build().provision(id, ADMIN))
                    .isInstanceOf(ProvisioningInProgressException.class);

            release.countDown();
            assertThat(first.get(30, TimeUnit.SECONDS).status()).isEqualTo(TenantStatus.ACTIVE);
        }
        assertThat(notes(id)).hasSize(1);
    }

    @Test
    void provisioningATenantInTheWrongStatus_isRefusedClearly() {
        TenantId id = register("suspended", IsolationModel.SCHEMA);
        TenantProvisioner provisioner = provisioner().build();
        provisioner.provision(id, ADMIN);
        catalog.transition(id, TenantStatus.SUSPENDED, ADMIN, "unpaid");

        assertThatThrownBy(() -> provisioner.provision(id, ADMIN))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'" + id + "' is suspended");
        assertThat(provisioner
                        .provision(register("again", IsolationModel.SHARED), ADMIN)
                        .status())
                .isEqualTo(TenantStatus.ACTIVE);
    }

    // ---- fleet migrations ----

    private List<TenantId> provisionFleet(int size, IsolationModel model) {
        TenantProvisioner provisioner = provisioner().build();
        List<TenantId> ids = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            TenantId id = register(String.format("fleet-%02d", i), model);
            provisioner.provision(id, ADMIN);
            ids.add(id);
        }
        return ids;
    }

    private FleetMigration.Builder fleet() {
        return FleetMigration.builder()
                .catalog(catalog)
                .dataSource(dataSource)
                .platform(database.dataSource())
                .migrations(V1, V2)
                .parallelism(4)
                .canary(2);
    }

    private List<String> tags(TenantId id) throws Exception {
        return TenantContext.where(id).call(() -> {
            try (Connection c = dataSource.getConnection();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT tenant_id, name FROM tags")) {
                List<String> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(rs.getString(1) + ":" + rs.getString(2));
                }
                return rows;
            }
        });
    }

    @ParameterizedTest
    @EnumSource(
            value = IsolationModel.class,
            names = {"SCHEMA", "DATABASE"})
    void fleetRun_migratesEveryTenant_thenOneQueryConfirmsTheFleetIsCurrent(IsolationModel model) throws Exception {
        List<TenantId> ids = provisionFleet(6, model);
        List<Integer> progress = new java.util.concurrent.CopyOnWriteArrayList<>();
        FleetMigration migration =
                fleet().listener((outcome, done, total) -> progress.add(done)).build();
        assertThat(migration.behind()).hasSize(6);

        FleetReport report = migration.run();

        assertThat(report.targetVersion()).isEqualTo("2");
        assertThat(report.count(FleetReport.Result.MIGRATED)).isEqualTo(6);
        assertThat(report.complete()).isTrue();
        assertThat(progress).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6);
        for (TenantId id : ids) {
            assertThat(tags(id)).containsExactly(id.value() + ":migrated");
        }
        assertThat(migration.behind()).isEmpty();
        FleetReport again = migration.run();
        assertThat(again.count(FleetReport.Result.SKIPPED)).isEqualTo(6);
        assertThat(again.count(FleetReport.Result.MIGRATED)).isZero();
    }

    @ParameterizedTest
    @EnumSource(
            value = IsolationModel.class,
            names = {"SCHEMA", "DATABASE"})
    void aFailingCanary_stopsTheRun_andTheFailedTenantIsNotServedStale(IsolationModel model) throws Exception {
        List<TenantId> ids = provisionFleet(5, model);
        TenantId canary = ids.getFirst(); // runs are ordered by id: this one is in the canary wave
        breakMigrationFor(canary);

        FleetReport report = fleet().canary(2).build().run();

        assertThat(report.stopped()).isTrue();
        assertThat(report.count(FleetReport.Result.FAILED)).isEqualTo(1);
        assertThat(report.count(FleetReport.Result.NOT_RUN)).isEqualTo(3);
        assertThat(report.outcomes())
                .filteredOn(o -> o.result() == FleetReport.Result.FAILED)
                .singleElement()
                .satisfies(o -> {
                    assertThat(o.tenant()).isEqualTo(canary);
                    assertThat(o.error()).isNotBlank();
                });
        assertThatThrownBy(() -> notes(canary))
                .isInstanceOf(SQLNonTransientConnectionException.class)
                .hasMessageContaining("last migration failed");
        try (TenantDataSource readOnly = dataSource(true)) {
            String bodies = TenantContext.where(canary).call(() -> {
                try (Connection c = readOnly.getConnection();
                        Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM notes")) {
                    rs.next();
                    return rs.getString(1);
                }
            });
            assertThat(bodies).isEqualTo("1");
        }
        assertThat(notes(ids.get(3))).hasSize(1); // not yet migrated, still served on v1
    }

    @ParameterizedTest
    @EnumSource(
            value = IsolationModel.class,
            names = {"SCHEMA", "DATABASE"})
    void anInterruptedRun_resumes_skippingTenantsAlreadyDone(IsolationModel model) throws Exception {
        List<TenantId> ids = provisionFleet(6, model);
        TenantId broken = ids.get(3);
        breakMigrationFor(broken);
        AtomicInteger finished = new AtomicInteger();

        FleetReport first =
                fleet().canary(1).parallelism(1).maxFailures(0).build().run();

        assertThat(first.stopped()).as(first.outcomes().toString()).isTrue();
        assertThat(first.count(FleetReport.Result.MIGRATED))
                .as(first.outcomes().toString())
                .isEqualTo(3);
        assertThat(first.count(FleetReport.Result.FAILED)).isEqualTo(1);
        assertThat(first.count(FleetReport.Result.NOT_RUN)).isEqualTo(2);

        repairMigrationFor(broken);
        fleet().build().repair(broken);
        FleetReport second = fleet().listener((o, done, total) -> finished.incrementAndGet())
                .build()
                .run();

        assertThat(second.count(FleetReport.Result.SKIPPED)).isEqualTo(3);
        assertThat(second.count(FleetReport.Result.MIGRATED)).isEqualTo(3);
        assertThat(finished.get()).isEqualTo(3);
        assertThat(catalog.find(broken).orElseThrow().attributes())
                .doesNotContainKey(TenantDataSource.MIGRATION_FAILED);
        assertThat(tags(broken)).containsExactly(broken.value() + ":migrated");
    }

    /** Creates the table V2 creates, so V2 fails for this one tenant. */
    private void breakMigrationFor(TenantId id) {
        ownerSql(id, "CREATE TABLE tags (blocking INT)");
    }

    private void repairMigrationFor(TenantId id) {
        ownerSql(id, "DROP TABLE tags");
    }

    private void ownerSql(TenantId id, String sql) {
        Tenant tenant = catalog.find(id).orElseThrow();
        try (Connection c = dev.tenancy.jdbc.TenantStorage.on(dataSource.server(tenant.server()))
                        .connect(tenant);
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- offboarding ----

    /** Offboarding of this test's tenants, on its clock, from the shared table {@code notes}, 30 days' retention. */
    private TenantOffboarding.Builder offboardingBuilder() {
        return TenantOffboarding.builder()
                .catalog(catalog)
                .dataSource(dataSource)
                .platform(database.dataSource())
                .sharedTable("notes", "tenant_id")
                .retention(Duration.ofDays(30))
                .clock(clock);
    }

    private TenantOffboarding offboarding() {
        return offboardingBuilder().build();
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void exportThenPurge_removesThisTenantsDataOnly(IsolationModel model, @TempDir Path directory) throws Exception {
        TenantProvisioner provisioner = provisioner().build();
        TenantId leaving = register("leaving", model);
        TenantId staying = register("staying", model);
        provisioner.provision(leaving, ADMIN);
        provisioner.provision(staying, ADMIN);
        catalog.transition(leaving, TenantStatus.ARCHIVED, ADMIN, "contract ended");
        TenantOffboarding offboarding = offboarding();

        Map<String, Long> exported = offboarding.export(leaving, directory);

        assertThat(exported).containsEntry("notes", 1L);
        assertThat(Files.readAllLines(directory.resolve("notes.jsonl")))
                .singleElement()
                .satisfies(line -> assertThat(line)
                        .contains("\"tenant_id\":\"" + leaving + "\"")
                        .contains("welcome to leaving"));

        assertThatThrownBy(() -> offboarding.purge(leaving, ADMIN, false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("retention period");
        clock.advance(Duration.ofDays(31));
        Tenant purged = offboarding.purge(leaving, ADMIN, false);

        assertThat(purged.status()).isEqualTo(TenantStatus.PURGED);
        assertThat(offboarding.purge(leaving, ADMIN, false).version())
                .as("purging again changes nothing")
                .isEqualTo(purged.version());
        assertThat(notes(staying)).containsExactly("welcome to staying");
        assertThat(rowsLeftFor(leaving, model)).isZero();
    }

    @Test
    void theRetentionSweep_purgesArchivedTenantsOnceTheirRetentionHasPassed_andNoOthers(@TempDir Path directory) {
        TenantProvisioner provisioner = provisioner().build();
        TenantId leaving = register("leaving", IsolationModel.SHARED);
        TenantId later = register("later", IsolationModel.SCHEMA);
        TenantId live = register("live", IsolationModel.SHARED);
        for (TenantId id : List.of(leaving, later, live)) {
            provisioner.provision(id, ADMIN);
        }
        TenantOffboarding offboarding = offboarding();
        assertThatThrownBy(() -> offboarding.export(live, directory))
                .as("a live tenant's data is still changing: archive it before exporting")
                .isInstanceOf(dev.tenancy.TenantOperationRefusedException.class)
                .hasMessageContaining("is active");
        catalog.transition(leaving, TenantStatus.ARCHIVED, ADMIN, "contract ended");
        clock.advance(Duration.ofDays(20));
        catalog.transition(later, TenantStatus.ARCHIVED, ADMIN, "contract ended");

        assertThat(offboarding.purgeRetained(ADMIN).purged()).isEmpty();
        clock.advance(Duration.ofDays(11)); // leaving: 31 days archived, later: 11

        dev.tenancy.provision.RetentionReport report = offboarding.purgeRetained(ADMIN);
        assertThat(report.purged()).containsExactly(leaving);
        assertThat(report.failed()).isEmpty();
        assertThat(catalog.require(leaving).status()).isEqualTo(TenantStatus.PURGED);
        assertThat(catalog.require(later).status()).isEqualTo(TenantStatus.ARCHIVED);
        assertThat(catalog.require(live).status()).isEqualTo(TenantStatus.ACTIVE);
        assertThat(offboarding.purgeRetained(ADMIN).purged()).as("idempotent").isEmpty();
    }

    @Test
    void eachTenantsStorage_isMeasuredFromTheDatabasesOwnSizes() throws Exception {
        TenantProvisioner provisioner = provisioner().build();
        Map<IsolationModel, TenantId> tenants = new java.util.EnumMap<>(IsolationModel.class);
        for (IsolationModel model : IsolationModel.values()) {
            TenantId id = register("sized-" + model.name().toLowerCase(java.util.Locale.ROOT), model);
            provisioner.provision(id, ADMIN);
            tenants.put(model, id);
        }
        TenantId busy = tenants.get(IsolationModel.SHARED);
        TenantContext.where(busy).call(() -> {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement s =
                            c.prepareStatement("INSERT INTO notes (tenant_id, id, body) VALUES (?, ?, ?)")) {
                for (int i = 0; i < 500; i++) {
                    s.setString(1, busy.value());
                    s.setInt(2, 100 + i);
                    s.setString(3, "x".repeat(200));
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
        dev.tenancy.provision.TenantSizes sizes = dev.tenancy.provision.TenantSizes.builder()
                .catalog(catalog)
                .dataSource(dataSource)
                .sharedTable(dev.tenancy.provision.SharedTable.of("notes", "tenant_id"))
                .build();
        if (kind() == TestDatabase.Kind.H2) {
            assertThat(sizes.bytes(busy)).as("H2 reports no sizes").isZero();
            return;
        }
        assertThat(sizes.bytes(tenants.get(IsolationModel.SCHEMA)))
                .as("a schema's tables")
                .isPositive();
        assertThat(sizes.bytes(tenants.get(IsolationModel.DATABASE)))
                .as("a database")
                .isGreaterThan(sizes.bytes(tenants.get(IsolationModel.SCHEMA)));
        long shared = sizes.bytes(busy);
        assertThat(shared).as("500 rows of 200 characters, estimated").isGreaterThan(100_000);
        TenantId quiet = register("quiet", IsolationModel.SHARED);
        provisioner.provision(quiet, ADMIN);
        assertThat(sizes.bytes(quiet)).as("one seeded row's share").isLessThan(shared / 100);
    }

    @Test
    void purge_isRefusedForLiveTenants_andForcedPurgeIsAudited() {
        TenantId live = register("live", IsolationModel.SCHEMA);
        provisioner().build().provision(live, ADMIN);
        TenantOffboarding offboarding = offboarding();

        assertThatThrownBy(() -> offboarding.purge(live, ADMIN, true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is active")
                .hasMessageContaining("archive it first");

        catalog.transition(live, TenantStatus.ARCHIVED, ADMIN, "closed");
        offboarding.purge(live, ADMIN, true);

        assertThat(audit.query(AuditQuery.builder().tenant(live).build()).items())
                .anySatisfy(e -> assertThat(e.metadata()).containsEntry("to", "purged"));
        assertThat(catalog.find(live).orElseThrow().statusReason()).startsWith("forced purge: dropped schema");
    }

    /** A branding section, for the purge test. */
    public record Branding(String primaryColor) {}

    @Test
    void purge_alsoForgetsTheTenantsDomainsInvitationsAndSettings_andOnlyTheirs() {
        TenantId leaving = register("leaving", IsolationModel.SHARED);
        TenantId staying = register("staying", IsolationModel.SHARED);
        TenantProvisioner provisioner = provisioner().build();
        provisioner.provision(leaving, ADMIN);
        provisioner.provision(staying, ADMIN);
        dev.tenancy.access.Invitations invitations = dev.tenancy.access.Invitations.builder()
                .catalog(catalog)
                .auditLog(audit)
                .dataSource(database.dataSource())
                .build();
        try (dev.tenancy.settings.TenantSettings settings = dev.tenancy.settings.TenantSettings.builder()
                .catalog(catalog)
                .auditLog(audit)
                .dataSource(database.dataSource())
                .section("branding", Branding.class, new Branding("#2563eb"))
                .build()) {
            for (TenantId id : List.of(leaving, staying)) {
                catalog.addDomain(id, id.value() + ".example", ADMIN);
                catalog.verifyDomain(id.value() + ".example", ADMIN);
                invitations.invite(id, "jane@" + id.value() + ".example", "accountant", ADMIN);
                settings.put(id, new Branding("#ff6600"), ADMIN);
            }
            catalog.transition(leaving, TenantStatus.ARCHIVED, ADMIN, "closed");
            TenantOffboarding offboarding = offboardingBuilder()
                    .onPurge(invitations::forget)
                    .onPurge(settings::forget)
                    .build();

            offboarding.purge(leaving, ADMIN, true);

            assertThat(catalog.domains(leaving)).isEmpty();
            assertThat(catalog.findByDomain("leaving-" + suffix + ".example")).isEmpty();
            assertThat(invitations.ofTenant(leaving)).isEmpty();
            assertThat(settings.isSet(leaving, Branding.class)).isFalse();
            assertThat(audit.query(AuditQuery.builder().tenant(leaving).build()).items())
                    .extracting(e -> e.action())
                    .contains("invitation.forgotten", "settings.forgotten");
            assertThat(catalog.domains(staying)).hasSize(1);
            assertThat(invitations.ofTenant(staying)).hasSize(1);
            assertThat(settings.get(staying, Branding.class)).isEqualTo(new Branding("#ff6600"));
        }
    }

    // ---- expiry (sandboxes) ----

    private TenantId sandbox(String name, IsolationModel model, Duration life) {
        TenantId id = TenantId.of(name + "-" + suffix);
        catalog.register(
                TenantRegistration.builder(id, name)
                        .isolation(model)
                        .expiresAt(clock.instant().plus(life))
                        .build(),
                ADMIN);
        if (model == IsolationModel.DATABASE) {
            database.dropOnClose(id.databaseName());
        }
        provisioner().build().provision(id, ADMIN);
        return id;
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void aPayingTenantGivenAnExpiry_isArchivedByTheSweep_butNeverPurgedByIt(IsolationModel model) throws Exception {
        TenantId paying = register("paying", model);
        provisioner().build().provision(paying, ADMIN);
        assertThat(catalog.require(paying).isSandbox()).isFalse();
        assertThatThrownBy(() -> catalog.update(
                        paying,
                        dev.tenancy.catalog.TenantUpdate.builder()
                                .expiresAt(java.time.Instant.parse("2000-01-01T00:00:00Z"))
                                .build(),
                        ADMIN))
                .as("an expiry in the past is refused")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2000-01-01T00:00:00Z")
                .hasMessageContaining("in the future");
        catalog.update(
                paying,
                dev.tenancy.catalog.TenantUpdate.builder()
                        .expiresAt(clock.instant().plus(Duration.ofDays(1)))
                        .build(),
                ADMIN);
        TenantOffboarding offboarding = offboarding();

        clock.advance(Duration.ofDays(60)); // past the expiry and any grace
        ExpiryReport first = offboarding.expire(ADMIN);
        ExpiryReport second = offboarding.expire(ADMIN);

        assertThat(first.retired()).containsExactly(paying);
        assertThat(first.purged()).isEmpty();
        assertThat(second.purged()).as("not by a later sweep either").isEmpty();
        assertThat(catalog.require(paying).status()).isEqualTo(TenantStatus.ARCHIVED);
        assertThat(rowsLeftFor(paying, model)).as("its data is all there").isPositive();
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void expiredSandboxes_areArchivedAndPurged_byOneSweep_andNothingElse(IsolationModel model) throws Exception {
        TenantId sandbox = sandbox("sandbox", model, Duration.ofDays(7));
        TenantId extended = sandbox("extended", model, Duration.ofDays(7));
        TenantId permanent = register("permanent", model);
        provisioner().build().provision(permanent, ADMIN);
        TenantOffboarding offboarding = offboarding();
        assertThat(offboarding.expire(ADMIN).isEmpty())
                .as("nothing has expired yet")
                .isTrue();
        catalog.update(
                extended,
                dev.tenancy.catalog.TenantUpdate.builder()
                        .expiresAt(clock.instant().plus(Duration.ofDays(30)))
                        .build(),
                ADMIN);

        clock.advance(Duration.ofDays(8));
        ExpiryReport report = offboarding.expire(ADMIN);

        assertThat(report.retired()).containsExactly(sandbox);
        assertThat(report.purged()).containsExactly(sandbox);
        assertThat(report.failed()).isEmpty();
        Tenant gone = catalog.require(sandbox);
        assertThat(gone.status()).isEqualTo(TenantStatus.PURGED);
        assertThat(gone.statusReason()).startsWith("expired at " + gone.expiresAt() + ", purged: ");
        assertThat(rowsLeftFor(sandbox, model)).isZero();
        assertThat(audit.query(AuditQuery.builder().tenant(sandbox).build()).items())
                .filteredOn(e -> e.action().equals("transition"))
                .extracting(e -> e.metadata().get("to"))
                .containsExactly("purged", "archived", "active"); // newest first
        assertThat(notes(extended)).containsExactly("welcome to extended");
        assertThat(notes(permanent)).containsExactly("welcome to permanent");
        assertThat(offboarding.expire(ADMIN).isEmpty())
                .as("a second sweep finds nothing")
                .isTrue();
    }

    @Test
    void withAGrace_anExpiredSandboxIsArchivedAtOnce_readOnly_andPurgedWhenTheGraceHasPassed() throws Exception {
        TenantId sandbox = sandbox("graced", IsolationModel.SCHEMA, Duration.ofDays(7));
        TenantId pending = register("pending", IsolationModel.SCHEMA);
        catalog.update(
                pending,
                dev.tenancy.catalog.TenantUpdate.builder()
                        .expiresAt(clock.instant().plus(Duration.ofDays(1)))
                        .attribute(Tenant.SANDBOX, "true") // marked a sandbox explicitly: purged at its expiry
                        .build(),
                ADMIN);
        TenantOffboarding offboarding =
                offboardingBuilder().expiryGrace(Duration.ofDays(3)).build();

        clock.advance(Duration.ofDays(8));
        ExpiryReport first = offboarding.expire(ADMIN);

        assertThat(first.retired()).containsExactlyInAnyOrder(sandbox, pending);
        assertThat(first.purged()).containsExactly(pending); // expired 7 days ago: past its grace
        assertThat(catalog.require(sandbox).status()).isEqualTo(TenantStatus.ARCHIVED);
        assertThat(notes(sandbox)).as("archived: still readable").containsExactly("welcome to graced");
        assertThatThrownBy(() -> TenantContext.where(sandbox).call(() -> {
                    try (Connection c = dataSource.getConnection();
                            PreparedStatement s =
                                    c.prepareStatement("INSERT INTO notes (tenant_id, id, body) VALUES (?, 2, 'x')")) {
                        s.setString(1, sandbox.value());
                        return s.executeUpdate();
                    }
                }))
                .as("archived: no longer written")
                .isInstanceOf(Exception.class);
        assertThat(audit.query(AuditQuery.builder().tenant(pending).build()).items())
                .filteredOn(e -> e.action().equals("transition"))
                .extracting(e -> e.metadata().get("to"))
                .containsExactly("purged", "rejected"); // newest first

        clock.advance(Duration.ofDays(1)); // two days after its expiry
        assertThat(offboarding.expire(ADMIN).isEmpty())
                .as("within the grace: kept")
                .isTrue();
        assertThat(rowsLeftFor(sandbox, IsolationModel.SCHEMA)).isOne();

        clock.advance(Duration.ofDays(1)); // three: the grace has passed
        assertThat(offboarding.expire(ADMIN).purged()).containsExactly(sandbox);
        assertThat(rowsLeftFor(sandbox, IsolationModel.SCHEMA)).isZero();
    }

    @Test
    void aSandboxWhosePurgeFails_isReported_theOthersGoOn_andTheNextSweepFinishesIt() throws Exception {
        TenantId failing = sandbox("failing", IsolationModel.SHARED, Duration.ofDays(1));
        TenantId other = sandbox("other", IsolationModel.SHARED, Duration.ofDays(1));
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean(true);
        TenantOffboarding offboarding = offboardingBuilder()
                .onPurge((tenant, actor) -> {
                    if (tenant.equals(failing) && broken.get()) {
                        throw new IllegalStateException("the mail provider is down");
                    }
                })
                .build();
        clock.advance(Duration.ofDays(2));

        ExpiryReport first = offboarding.expire(ADMIN);

        assertThat(first.failed()).containsOnlyKeys(failing);
        assertThat(first.failed().get(failing)).contains("the mail provider is down");
        assertThat(first.purged()).containsExactly(other);
        assertThat(catalog.require(failing).status()).isEqualTo(TenantStatus.ARCHIVED); // not served, not purged

        broken.set(false);
        ExpiryReport second = offboarding.expire(ADMIN);

        assertThat(second.purged()).containsExactly(failing);
        assertThat(second.failed()).isEmpty();
        assertThat(catalog.require(failing).status()).isEqualTo(TenantStatus.PURGED);
    }

    @Test
    void twoNodesSweepingAtOnce_purgeEachExpiredSandboxOnce() throws Exception {
        List<TenantId> sandboxes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sandboxes.add(sandbox("race" + i, IsolationModel.SHARED, Duration.ofDays(1)));
        }
        clock.advance(Duration.ofDays(2));
        TenantOffboarding a = offboarding();
        TenantOffboarding b = offboarding();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var ra = pool.submit(() -> a.expire(ADMIN));
            var rb = pool.submit(() -> b.expire(ADMIN));
            ExpiryReport one = ra.get();
            ExpiryReport two = rb.get();
            assertThat(one.failed()).isEmpty();
            assertThat(two.failed()).isEmpty();
            List<TenantId> purged = new ArrayList<>(one.purged());
            purged.addAll(two.purged());
            assertThat(purged).containsExactlyInAnyOrderElementsOf(sandboxes);
        } finally {
            pool.shutdownNow();
        }
        for (TenantId id : sandboxes) {
            assertThat(catalog.require(id).status()).isEqualTo(TenantStatus.PURGED);
            assertThat(audit.query(AuditQuery.builder().tenant(id).build()).items())
                    .filteredOn(e -> e.action().equals("transition"))
                    .extracting(e -> e.metadata().get("to"))
                    .containsExactly("purged", "archived", "active"); // newest first
        }
    }

    private long rowsLeftFor(TenantId id, IsolationModel model) throws SQLException {
        String sql = switch (model) {
            case SHARED -> "SELECT COUNT(*) FROM notes WHERE tenant_id = '" + id + "'";
            case SCHEMA ->
                "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = '" + id.schemaName() + "'";
            case DATABASE ->
                kind() == TestDatabase.Kind.POSTGRESQL
                        ? "SELECT COUNT(*) FROM pg_database WHERE datname = '" + id.databaseName() + "'"
                        : null;
        };
        if (sql == null) { // H2: the database's tables are dropped
            try (Connection c = java.sql.DriverManager.getConnection(
                            database.databaseUrlTemplate().replace("{database}", id.databaseName()), "sa", "");
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(
                            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'PUBLIC'")) {
                rs.next();
                return rs.getLong(1);
            }
        }
        try (Connection c = database.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
