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
import dev.tenancy.provision.TenantProvisioner;
import dev.tenancy.provision.TenantSeed;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Behind a real PgBouncer in transaction mode (started by {@code .ci/run}; see {@link
 * TestDatabase#pooledJdbcUrl()}), where each transaction may run on another server process and a
 * session setting lands on whichever process served it: the shared model with plain and with
 * signed policies, schema tenants and database tenants, in auto-commit and in transactions, with
 * hostile borrowers poisoning the server processes they pass through, return only the borrower's
 * own rows. A server configured for session bindings that turns out to sit behind such a pooler
 * is refused with the setting that fixes it.
 */
class TransactionPoolingTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final BindingKey KEY = BindingKey.of(SECRET);
    private static final Actor ADMIN = Actor.system("test");
    private static final int ROWS = 50;
    private static final TenantSeed SEED = (tenant, c) -> {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO notes (tenant_id, id, body) VALUES (?, ?, ?)")) {
            for (int i = 0; i < ROWS; i++) {
                s.setString(1, tenant.id().value());
                s.setInt(2, i);
                s.setString(3, tenant.id().value() + " secret");
                s.addBatch();
            }
            s.executeBatch();
        }
    };

    private final String suffix = UUID.randomUUID().toString().substring(0, 6);
    private TestDatabase database;
    private TenantDataSource dataSource;
    private final List<TenantId> tenants = new ArrayList<>();

    @AfterEach
    void tearDown() {
        if (dataSource != null) {
            dataSource.close();
        }
        if (database != null) {
            for (TenantId t : tenants) {
                try (Connection c = database.dataSource().getConnection();
                        Statement s = c.createStatement()) {
                    s.execute("DROP DATABASE IF EXISTS " + t.databaseName() + " WITH (FORCE)");
                } catch (SQLException ignored) {
                    // not a database tenant
                }
            }
            database.close();
        }
    }

    /** Tenants of {@code models}, each with {@value #ROWS} rows, served through the pooler. */
    private void setUp(boolean signed, IsolationModel... models) throws Exception {
        database = TestDatabase.postgres();
        String pooled = database.pooledJdbcUrl();
        String role = database.pooledApplicationRole();
        database.execute("CREATE TABLE notes (tenant_id VARCHAR(48) NOT NULL, id INT NOT NULL,"
                + " body VARCHAR(200) NOT NULL, PRIMARY KEY (tenant_id, id))");
        database.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON notes TO " + role);
        try (Connection owner = database.dataSource().getConnection()) {
            RowLevelSecurity policy = RowLevelSecurity.on("notes");
            (signed ? policy.signedBy(KEY) : policy).apply(owner);
        }
        TenantCatalog catalog = TenantCatalog.inMemory(AuditLog.inMemory());
        DatabaseServer server = DatabaseServer.of("default", pooled, role, "")
                .withOwner(database.user(), database.password())
                .withDatabaseUrlTemplate(database.pooledDatabaseUrlTemplate())
                .withMaximumPoolSize(8)
                .withTenantPoolSize(2)
                .withTransactionPooling();
        TenantDataSource.Builder builder =
                TenantDataSource.builder().catalog(catalog).server(server);
        dataSource = (signed ? builder.signedBinding(KEY) : builder).build();
        TenantProvisioner provisioner = TenantProvisioner.builder()
                .catalog(catalog)
                .dataSource(dataSource)
                .platform(database.dataSource())
                .migrations("classpath:dev/tenancy/testkit/tenant/v1")
                .seed(SEED)
                .build();
        for (int i = 0; i < models.length; i++) {
            TenantId id = TenantId.of("tp" + i + "-" + suffix);
            catalog.register(
                    TenantRegistration.builder(id, id.value())
                            .isolation(models[i])
                            .build(),
                    ADMIN);
            tenants.add(id);
            provisioner.provision(id, ADMIN);
        }
    }

    /**
     * The reproduction: 8 threads borrowing as random tenants and reading every row they
     * can, three times per borrow, with a hostile borrower in four poisoning its session.
     */
    private void hammer(boolean transactionPerBorrow) throws Exception {
        long seconds = Long.getLong("tenancy.pooling.seconds", 4);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong queries = new AtomicLong();
        AtomicLong ownRows = new AtomicLong();
        Map<String, Long> foreign = new ConcurrentHashMap<>();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            running.add(threads.submit(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (System.nanoTime() - deadline < 0) {
                    TenantId self = tenants.get(random.nextInt(tenants.size()));
                    TenantId other = tenants.get(random.nextInt(tenants.size()));
                    if (random.nextInt(4) == 0) { // a hostile borrow: poisons the server process it is given
                        TenantContext.where(self).call(() -> {
                            try (Connection c = dataSource.getConnection()) {
                                poison(c, other, random.nextInt(4));
                            }
                            return null;
                        });
                        continue;
                    }
                    TenantContext.where(self).call(() -> {
                        try (Connection c = dataSource.getConnection()) {
                            if (transactionPerBorrow) {
                                c.setAutoCommit(false);
                            }
                            for (int i = 0; i < 3; i++) {
                                try (Statement s = c.createStatement();
                                        ResultSet rs = s.executeQuery("SELECT tenant_id FROM notes")) {
                                    queries.incrementAndGet();
                                    while (rs.next()) {
                                        if (self.value().equals(rs.getString(1))) {
                                            ownRows.incrementAndGet();
                                        } else {
                                            foreign.merge(self + " saw " + rs.getString(1), 1L, Long::sum);
                                        }
                                    }
                                }
                            }
                            if (transactionPerBorrow) {
                                c.commit();
                            }
                        }
                        return null;
                    });
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get(seconds + 60, TimeUnit.SECONDS);
        }
        threads.shutdown();
        System.out.printf(
                "[tenancy] through PgBouncer (transaction mode), %s: %d queries, %d own rows, %d foreign rows%n",
                transactionPerBorrow ? "a transaction per borrow" : "auto-commit",
                queries.get(),
                ownRows.get(),
                foreign.values().stream().mapToLong(Long::longValue).sum());
        assertThat(foreign).isEmpty();
        assertThat(queries.get()).isPositive();
        assertThat(ownRows.get()).isEqualTo(queries.get() * ROWS);
    }

    /** Session-level changes a hostile borrower leaves on the server process it is given. */
    private static void poison(Connection c, TenantId other, int kind) {
        try (Statement s = c.createStatement()) {
            switch (kind) {
                case 0 -> s.execute("SELECT set_config('tenancy.tenant_id', '" + other + "', false)");
                case 1 -> s.execute("SET search_path TO pg_catalog");
                case 2 -> s.execute("CREATE TEMP VIEW notes AS SELECT '" + other + "'::varchar AS tenant_id");
                default -> s.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
            }
        } catch (SQLException e) {
            // its own statement refused (an earlier poison left the process read-only): no matter
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void sharedTablesWithAPlainPolicy_neverServeAnotherTenantsRows(boolean transactionPerBorrow) throws Exception {
        setUp(false, IsolationModel.SHARED, IsolationModel.SHARED, IsolationModel.SHARED, IsolationModel.SHARED);
        hammer(transactionPerBorrow);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyModelWithSignedBindings_neverServesAnotherTenantsRows(boolean transactionPerBorrow) throws Exception {
        setUp(
                true,
                IsolationModel.SHARED,
                IsolationModel.SHARED,
                IsolationModel.SCHEMA,
                IsolationModel.SCHEMA,
                IsolationModel.DATABASE);
        hammer(transactionPerBorrow);
    }

    /**
     * A transaction the borrower's own SQL ends ({@code COMMIT} as a statement) is followed by one
     * that is bound afresh, not by an unbound one on whatever server process comes next, where an
     * earlier client may have left another tenant's id as a session setting.
     */
    @Test
    void aTransactionEndedBySql_isFollowedByABoundOne() throws Exception {
        setUp(false, IsolationModel.SHARED, IsolationModel.SHARED);
        TenantId honest = tenants.get(0);
        TenantId victim = tenants.get(1);
        for (int round = 0; round < 40; round++) {
            TenantContext.where(honest)
                    .call(
                            () -> { // poisons the server processes it passes through
                                try (Connection c = dataSource.getConnection();
                                        Statement s = c.createStatement()) {
                                    s.execute("SELECT set_config('tenancy.tenant_id', '" + victim + "', false)");
                                }
                                return null;
                            });
            List<String> seen = TenantContext.where(honest).call(() -> {
                try (Connection c = dataSource.getConnection()) {
                    c.setAutoCommit(false);
                    try (Statement s = c.createStatement()) {
                        s.execute("SELECT 1");
                        s.execute("COMMIT");
                    }
                    List<String> owners = new ArrayList<>();
                    try (Statement s = c.createStatement();
                            ResultSet rs = s.executeQuery("SELECT DISTINCT tenant_id FROM notes")) {
                        while (rs.next()) {
                            owners.add(rs.getString(1));
                        }
                    }
                    c.commit();
                    return owners;
                }
            });
            assertThat(seen).containsExactly(honest.value());
        }
    }

    @Test
    void preparedStatements_writes_rollbacksAndReadOnly_workThroughThePooler() throws Exception {
        setUp(true, IsolationModel.SHARED, IsolationModel.SCHEMA);
        for (TenantId tenant : tenants) {
            TenantContext.where(tenant).call(() -> {
                try (Connection c = dataSource.getConnection()) {
                    try (PreparedStatement p = c.prepareStatement("SELECT count(*) FROM notes WHERE id >= ?")) {
                        for (int i = 0; i < 10; i++) {
                            p.setInt(1, 0);
                            try (ResultSet rs = p.executeQuery()) {
                                rs.next();
                                assertThat(rs.getInt(1)).isEqualTo(ROWS);
                            }
                        }
                    }
                    c.setAutoCommit(false);
                    try (Statement s = c.createStatement()) {
                        s.executeUpdate("INSERT INTO notes VALUES ('" + tenant + "', 1000, 'rolled back')");
                    }
                    c.rollback();
                    try (Statement s = c.createStatement()) {
                        s.executeUpdate("INSERT INTO notes VALUES ('" + tenant + "', 1001, 'committed')");
                    }
                    c.commit();
                    c.setAutoCommit(true);
                    try (Statement s = c.createStatement();
                            ResultSet rs = s.executeQuery("SELECT body FROM notes WHERE id >= 1000")) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getString(1)).isEqualTo("committed");
                        assertThat(rs.next()).isFalse();
                    }
                }
                TenantContext.where(tenant).readOnly().call(() -> {
                    try (Connection c = dataSource.getConnection();
                            Statement s = c.createStatement()) {
                        s.execute("SET default_transaction_read_only = off");
                        assertThatThrownBy(() -> s.executeUpdate("DELETE FROM notes"))
                                .isInstanceOf(SQLException.class);
                        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM notes")) {
                            rs.next();
                            assertThat(rs.getInt(1)).isEqualTo(ROWS + 1);
                        }
                    }
                    return null;
                });
                return null;
            });
        }
    }

    @Test
    void aServerConfiguredForSessionBindings_behindATransactionPooler_isRefusedNamingTheSetting() throws Exception {
        database = TestDatabase.postgres();
        String pooled = database.pooledJdbcUrl();
        String role = database.pooledApplicationRole();
        database.execute("CREATE TABLE notes (tenant_id VARCHAR(48) NOT NULL, id INT NOT NULL,"
                + " body VARCHAR(200) NOT NULL, PRIMARY KEY (tenant_id, id))");
        database.execute("GRANT SELECT ON notes TO " + role);
        TenantCatalog catalog = TenantCatalog.inMemory(AuditLog.inMemory());
        TenantId acme = TenantId.of("acme-" + suffix);
        catalog.register(TenantRegistration.builder(acme, "Acme").build(), ADMIN);
        if (catalog.find(acme).orElseThrow().status() != dev.tenancy.TenantStatus.ACTIVE) {
            catalog.transition(acme, dev.tenancy.TenantStatus.ACTIVE, ADMIN, "test");
        }
        dataSource = TenantDataSource.builder()
                .catalog(catalog)
                .server(DatabaseServer.of("default", pooled, role, "").withMaximumPoolSize(1))
                .build();
        SQLException refused = null;
        try (Connection squatter = DriverManager.getConnection(pooled + "?prepareThreshold=0", role, "")) {
            squatter.setAutoCommit(false);
            for (int attempt = 0; attempt < 20 && refused == null; attempt++) {
                try {
                    TenantContext.where(acme).call(() -> {
                        try (Connection c = dataSource.getConnection()) {
                            return null;
                        }
                    });
                } catch (SQLException e) {
                    refused = e;
                }
                // hold whichever server process the pooler hands out now, so the next borrow gets another
                try (Statement s = squatter.createStatement()) {
                    s.execute(attempt % 2 == 0 ? "SELECT 1" : "COMMIT");
                }
            }
        }
        assertThat((Throwable) refused).as("a borrow that moved server process").isNotNull();
        assertThat(refused.getMessage()).contains("transaction-pooling proxy").contains("withTransactionPooling()");
    }
}
