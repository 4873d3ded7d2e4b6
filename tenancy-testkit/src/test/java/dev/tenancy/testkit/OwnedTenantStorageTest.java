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
import dev.tenancy.jdbc.RowLevelSecurity;
import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.provision.FleetMigration;
import dev.tenancy.provision.FleetReport;
import dev.tenancy.provision.TenantProvisioner;
import dev.tenancy.provision.TenantSeed;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A server whose tenant storage has an owner of its own ({@link DatabaseServer#withOwner}), on
 * PostgreSQL: provisioning and fleet migrations run as the owner, the application's role is granted
 * the use of what they create and owns nothing, and each schema tenant's tables are closed to the
 * sessions of every other tenant, also against SQL that names the other tenant's schema.
 */
class OwnedTenantStorageTest {
    private static final Actor ADMIN = Actor.user("u-1", "system_admin");
    private static final BindingKey KEY = BindingKey.of("0123456789abcdef0123456789abcdef".getBytes());
    private static final String V1 = "classpath:dev/tenancy/testkit/tenant/v1";
    private static final String V2 = "classpath:dev/tenancy/testkit/tenant/v2";

    private static final TenantSeed WELCOME = (tenant, c) -> {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO notes (tenant_id, id, body) VALUES (?, 1, ?)")) {
            s.setString(1, tenant.id().value());
            s.setString(2, "welcome to " + tenant.displayName());
            s.executeUpdate();
        }
    };

    private final String suffix = UUID.randomUUID().toString().substring(0, 6);
    private TestDatabase database;
    private TenantCatalog catalog;
    private TenantDataSource dataSource;
    private String role;

    @BeforeEach
    void setUp() {
        database = TestDatabase.postgres();
        role = database.applicationRole();
        catalog = TenantCatalog.inMemory(AuditLog.inMemory());
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

    private DatabaseServer server() {
        return DatabaseServer.of("default", database.jdbcUrl(), role, "")
                .withOwner(database.user(), database.password())
                .withDatabaseUrlTemplate(database.databaseUrlTemplate())
                .withMaximumPoolSize(2);
    }

    private TenantDataSource dataSource(BindingKey key) {
        TenantDataSource.Builder builder =
                TenantDataSource.builder().catalog(catalog).server(server());
        if (key != null) {
            builder.signedBinding(key);
        }
        dataSource = builder.build();
        return dataSource;
    }

    private TenantId provision(String name, IsolationModel model) {
        TenantId id = TenantId.of(name + "-" + suffix);
        catalog.register(TenantRegistration.builder(id, name).isolation(model).build(), ADMIN);
        if (model == IsolationModel.DATABASE) {
            database.dropOnClose(id.databaseName());
        }
        TenantProvisioner.builder()
                .catalog(catalog)
                .dataSource(dataSource)
                .platform(database.dataSource())
                .migrations(V1)
                .seed(WELCOME)
                .build()
                .provision(id, ADMIN);
        return id;
    }

    /** Runs a fleet migration to V2 (adding {@code tags}) and checks that it migrated both tenants. */
    private void migrateBothToV2() {
        FleetReport report = FleetMigration.builder()
                .catalog(catalog)
                .dataSource(dataSource)
                .platform(database.dataSource())
                .migrations(V1, V2)
                .build()
                .run();
        assertThat(report.count(FleetReport.Result.MIGRATED))
                .as(report.outcomes().toString())
                .isEqualTo(2);
    }

    private List<String> rowsAs(TenantId tenant, String sql) throws SQLException {
        return TenantSql.rows(dataSource, tenant, sql);
    }

    private int updateAs(TenantId tenant, String sql) throws SQLException {
        return TenantSql.update(dataSource, tenant, sql);
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        return TenantSql.rows(c, sql);
    }

    @Test
    void schemaTenants_useTheirOwnTables_andCannotReachEachOthersByName() throws SQLException {
        dataSource(null);
        TenantId acme = provision("acme", IsolationModel.SCHEMA);
        TenantId globex = provision("globex", IsolationModel.SCHEMA);
        String globexNotes = globex.schemaName() + ".notes";

        assertThat(rowsAs(acme, "SELECT body FROM notes")).containsExactly("welcome to acme");
        assertThat(updateAs(acme, "INSERT INTO notes VALUES ('" + acme.value() + "', 2, 'mine')"))
                .as("the application role may use the tables the owner's migrations created")
                .isEqualTo(1);
        assertThat(rowsAs(acme, "SELECT body FROM " + globexNotes)).isEmpty();
        assertThat(updateAs(acme, "DELETE FROM " + globexNotes)).isZero();
        assertThatThrownBy(() -> updateAs(acme, "INSERT INTO " + globexNotes + " VALUES ('x', 9, 'planted')"))
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
        assertThatThrownBy(() -> updateAs(acme, "DROP TABLE " + globexNotes))
                .as("the application role owns nothing")
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
        assertThat(rowsAs(globex, "SELECT body FROM notes")).containsExactly("welcome to globex");
        for (String bookkeeping : List.of("DELETE FROM flyway_schema_history", "DELETE FROM tenancy_seeded")) {
            assertThatThrownBy(() -> updateAs(acme, bookkeeping))
                    .as("provisioning's bookkeeping is not the tenant's to rewrite: " + bookkeeping)
                    .isInstanceOfSatisfying(
                            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
        }
    }

    @Test
    void aFleetMigration_grantsAndClosesTheTablesItAdds() throws SQLException {
        dataSource(KEY);
        TenantId acme = provision("acme", IsolationModel.SCHEMA);
        TenantId globex = provision("globex", IsolationModel.SCHEMA);

        migrateBothToV2();
        assertThat(rowsAs(acme, "SELECT name FROM tags")).containsExactly("migrated");
        assertThat(rowsAs(acme, "SELECT name FROM " + globex.schemaName() + ".tags"))
                .isEmpty();
        List<String> forged = TenantContext.where(acme).call(() -> {
            try (Connection c = dataSource.getConnection()) {
                rows(c, "SELECT set_config('tenancy.tenant_id', '" + globex.value() + "', false)");
                return rows(c, "SELECT name FROM " + globex.schemaName() + ".tags");
            }
        });
        assertThat(forged).as("signed: a rewritten setting does not verify").isEmpty();
    }

    @Test
    void anExistingDeployment_getsAnOwner_byReassigningItsTablesAndRunningAFleetMigration() throws SQLException {
        // Before: the application's own role created, and owns, the tenant schemas.
        database.execute("GRANT CREATE ON DATABASE " + database.name() + " TO " + role);
        dataSource = TenantDataSource.builder()
                .allowInsecureRole() // the deployment as it was: refused by default since the role owns the tables
                .catalog(catalog)
                .server(DatabaseServer.of("default", database.jdbcUrl(), role, "")
                        .withMaximumPoolSize(2))
                .build();
        TenantId acme = provision("acme", IsolationModel.SCHEMA);
        TenantId globex = provision("globex", IsolationModel.SCHEMA);
        String globexNotes = globex.schemaName() + ".notes";
        assertThat(rowsAs(acme, "SELECT body FROM " + globexNotes))
                .as("one role for every schema: the search path is all that separates them")
                .containsExactly("welcome to globex");
        dataSource.close();
        try (TenantDataSource refused = TenantDataSource.builder()
                .catalog(catalog)
                .server(DatabaseServer.of("default", database.jdbcUrl(), role, ""))
                .build()) {
            assertThatThrownBy(refused::checkRoles)
                    .as("by default such a role is refused, naming what it owns")
                    .hasMessageContaining("owns schema " + acme.schemaName());
        }

        // After: the owner takes the tables over, and one fleet migration grants and closes them.
        database.execute("REASSIGN OWNED BY " + role + " TO " + database.user());
        dataSource(KEY);
        migrateBothToV2();
        assertThat(rowsAs(acme, "SELECT body FROM notes")).containsExactly("welcome to acme");
        assertThat(rowsAs(acme, "SELECT name FROM tags")).containsExactly("migrated");
        assertThat(rowsAs(acme, "SELECT body FROM " + globexNotes)).isEmpty();
        assertThatThrownBy(() -> updateAs(acme, "DROP TABLE notes"))
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
    }

    @Test
    void sharedMigrations_runAsTheOwner_andTheApplicationIsGrantedTheSharedTables_notTheirHistory()
            throws SQLException {
        dataSource(null);
        TenantId id = TenantId.of("shared-" + suffix);
        catalog.register(
                TenantRegistration.builder(id, "shared")
                        .isolation(IsolationModel.SHARED)
                        .build(),
                ADMIN);
        TenantProvisioner.builder()
                .catalog(catalog)
                .dataSource(dataSource)
                .platform(database.dataSource())
                .sharedMigrations("classpath:dev/tenancy/testkit/shared/v1")
                .seed((tenant, c) -> {
                    try (PreparedStatement s = c.prepareStatement("INSERT INTO labels VALUES (?, 1, 'first')")) {
                        s.setString(1, tenant.id().value());
                        s.executeUpdate();
                    }
                })
                .build()
                .provision(id, ADMIN);

        assertThat(updateAs(id, "INSERT INTO labels VALUES ('" + id.value() + "', 2, 'second')"))
                .isEqualTo(1);
        assertThat(rowsAs(id, "SELECT name FROM labels ORDER BY id")).containsExactly("first", "second");
        assertThatThrownBy(() -> rowsAs(id, "SELECT version FROM shared_schema_history"))
                .as("the shared history is the owner's bookkeeping")
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
    }

    @Test
    void grantingTheSharedTables_neverOpensTheSigningKey_beforeOrAfterRowLevelSecurityIsApplied() throws SQLException {
        dataSource(KEY);
        TenantId id = TenantId.of("signed-" + suffix);
        catalog.register(
                TenantRegistration.builder(id, "signed")
                        .isolation(IsolationModel.SHARED)
                        .build(),
                ADMIN);
        TenantProvisioner.builder()
                .catalog(catalog)
                .dataSource(dataSource)
                .platform(database.dataSource())
                .sharedMigrations("classpath:dev/tenancy/testkit/shared/v1")
                .build()
                .provision(id, ADMIN); // grants the shared tables before any key exists
        try (Connection owner = database.dataSource().getConnection()) {
            RowLevelSecurity.on("labels")
                    .tenantColumn("tenant_id")
                    .signedBy(KEY)
                    .apply(owner); // creates the key
        }
        FleetReport report = FleetMigration.builder()
                .catalog(catalog)
                .dataSource(dataSource)
                .platform(database.dataSource())
                .sharedMigrations("classpath:dev/tenancy/testkit/shared/v1", "classpath:dev/tenancy/testkit/shared/v2")
                .build()
                .run(); // grants again, now that the key exists
        assertThat(report.complete()).as(report.toString()).isTrue();

        assertThat(updateAs(id, "INSERT INTO labels (tenant_id, id, name) VALUES ('" + id.value() + "', 1, 'mine')"))
                .isEqualTo(1);
        assertThat(rowsAs(id, "SELECT color FROM labels")).containsExactly("grey");
        for (String closed : List.of(
                RowLevelSecurity.BINDING_TABLES_SCHEMA + "." + RowLevelSecurity.KEY_TABLE, "shared_schema_history")) {
            assertThatThrownBy(() -> rowsAs(id, "SELECT * FROM " + closed))
                    .as(closed + " stays closed to the application")
                    .isInstanceOfSatisfying(
                            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
        }
    }

    @Test
    void aDatabaseTenant_isGrantedTheTablesItsOwnerCreated() throws SQLException {
        dataSource(null);
        TenantId initech = provision("initech", IsolationModel.DATABASE);
        assertThat(rowsAs(initech, "SELECT body FROM notes")).containsExactly("welcome to initech");
        assertThat(updateAs(initech, "UPDATE notes SET body = 'renamed'")).isEqualTo(1);
        assertThatThrownBy(() -> updateAs(initech, "DELETE FROM flyway_schema_history"))
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
        assertThatThrownBy(() -> updateAs(initech, "DROP TABLE notes"))
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
    }

    @Test
    void signedBindingsOnAServerWithNoOwner_leaveSchemaTenantsOpen_andSaySoOnce() throws SQLException {
        String name = "unowned-" + suffix;
        dataSource = TenantDataSource.builder()
                .catalog(catalog)
                .server(DatabaseServer.of(name, database.jdbcUrl(), database.user(), database.password()))
                .signedBinding(KEY)
                .build();
        ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(dev.tenancy.jdbc.TenantStorage.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen =
                new ch.qos.logback.core.read.ListAppender<>();
        seen.start();
        logger.addAppender(seen);
        try {
            for (String tenant : List.of("acme", "globex")) {
                TenantId id = TenantId.of(tenant + "-" + suffix);
                catalog.register(
                        TenantRegistration.builder(id, tenant)
                                .isolation(IsolationModel.SCHEMA)
                                .server(name)
                                .build(),
                        ADMIN);
                TenantProvisioner.builder()
                        .catalog(catalog)
                        .dataSource(dataSource)
                        .platform(database.dataSource())
                        .migrations(V1)
                        .build()
                        .provision(id, ADMIN);
            }
        } finally {
            logger.detachAppender(seen);
        }
        assertThat(seen.list)
                .extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                .containsExactly("Bindings are signed, but schema tenants on server '" + name + "' are not closed to"
                        + " each other: the application's user owns their tables, so row-level security would not"
                        + " bind it. Give the server an owner of its own (DatabaseServer.withOwner)");
    }

    @Test
    void theServerNamesItsOwner_butNeverAPassword() {
        DatabaseServer server = DatabaseServer.of("eu-1", "jdbc:postgresql://db/app", "app", "secret")
                .withOwner("tenancy_owner", "owner-secret");
        assertThat(server.hasSeparateOwner()).isTrue();
        assertThat(server.toString())
                .contains("user=app", "owner=tenancy_owner")
                .doesNotContain("secret");
        DatabaseServer plain = DatabaseServer.of("eu-1", "jdbc:postgresql://db/app", "app", "secret");
        assertThat(plain.hasSeparateOwner()).isFalse();
        assertThat(plain.ownerUsername()).isEqualTo("app");
        assertThat(plain.withMaximumPoolSize(4).withOwner("o", null).ownerPassword())
                .isEmpty();
        assertThatThrownBy(() -> plain.withOwner(null, "x")).hasMessageContaining("owner username");
    }
}
