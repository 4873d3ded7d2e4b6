package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The design's strongest invariant, on PostgreSQL: SQL the application runs as a tenant, injected
 * SQL included, stays inside that tenant. Threads and virtual threads act as random shared and
 * schema tenants; most operations are hostile: they rewrite the session's tenant setting, name
 * another tenant's schema, insert rows naming another tenant, update and delete across. The
 * deployment is the one the README recommends for this: the application role owns nothing (the
 * server has an owner of its own), bindings are signed, shared tables carry a signed policy, and
 * provisioning closes each schema tenant's tables. No operation may see another tenant's row, and
 * afterwards every tenant's data is exactly what it wrote itself.
 *
 * <p>The number of operations is {@code -Dtenancy.injection.ops} (default 6,000).
 */
class InjectedSqlIsolationTest {
    private static final BindingKey KEY = BindingKey.of("0123456789abcdef0123456789abcdef".getBytes());
    private static final int TENANTS = 12;
    private static final int PLATFORM_THREADS = 4;
    private static final int VIRTUAL_THREADS = 200;
    private static final Actor ADMIN = Actor.system("test");

    private static final TenantSeed SECRET = (tenant, c) -> {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO notes (tenant_id, id, body) VALUES (?, 0, ?)")) {
            s.setString(1, tenant.id().value());
            s.setString(2, tenant.id().value() + " secret");
            s.executeUpdate();
        }
    };

    private final String suffix = UUID.randomUUID().toString().substring(0, 6);
    private TestDatabase database;
    private TenantDataSource dataSource;
    private String role;

    @AfterEach
    void tearDown() {
        if (dataSource != null) {
            dataSource.close();
        }
        if (database != null) {
            database.close();
        }
    }

    private record Subject(TenantId id, IsolationModel model) {
        /** How this tenant's table is named from another tenant's session. */
        String table() {
            return model == IsolationModel.SCHEMA ? id.schemaName() + ".notes" : "public.notes";
        }
    }

    /** Directly, and through a PgBouncer in transaction mode ({@code .ci/run} starts one). */
    @ParameterizedTest(name = "through a transaction pooler: {0}")
    @ValueSource(booleans = {false, true})
    void hostileSqlAsAnyTenant_neverReachesAnotherTenantsRows(boolean pooled) throws Exception {
        long operations = Long.getLong("tenancy.injection.ops", 6_000);
        database = TestDatabase.postgres();
        String url = pooled ? database.pooledJdbcUrl() : database.jdbcUrl();
        role = pooled ? database.pooledApplicationRole() : database.applicationRole();
        database.execute("CREATE TABLE notes (tenant_id VARCHAR(48) NOT NULL, id INT NOT NULL,"
                + " body VARCHAR(200) NOT NULL, PRIMARY KEY (tenant_id, id))");
        database.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON notes TO " + role);
        try (Connection owner = database.dataSource().getConnection()) {
            RowLevelSecurity.on("notes").signedBy(KEY).apply(owner);
        }
        TenantCatalog catalog = TenantCatalog.inMemory(AuditLog.inMemory());
        dataSource = TenantDataSource.builder()
                .catalog(catalog)
                .server(pooled(
                        DatabaseServer.of("default", url, role, "")
                                .withOwner(database.user(), database.password())
                                .withMaximumPoolSize(4),
                        pooled))
                .signedBinding(KEY)
                .build();
        TenantProvisioner provisioner = TenantProvisioner.builder()
                .catalog(catalog)
                .dataSource(dataSource)
                .platform(database.dataSource())
                .migrations("classpath:dev/tenancy/testkit/tenant/v1")
                .seed(SECRET)
                .build();
        List<Subject> subjects = new ArrayList<>();
        for (int i = 0; i < TENANTS; i++) {
            IsolationModel model = i % 2 == 0 ? IsolationModel.SHARED : IsolationModel.SCHEMA;
            TenantId id = TenantId.of("inj-" + i + "-" + suffix);
            catalog.register(
                    TenantRegistration.builder(id, "T" + i).isolation(model).build(), ADMIN);
            provisioner.provision(id, ADMIN);
            subjects.add(new Subject(id, model));
        }

        AtomicLong remaining = new AtomicLong(operations);
        AtomicLong hostile = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong waitedOut = new AtomicLong();
        AtomicLong nextId = new AtomicLong(1);
        Map<String, String> leaks = new ConcurrentHashMap<>();
        Map<TenantId, Long> written = new ConcurrentHashMap<>();
        Runnable worker = () -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (remaining.getAndDecrement() > 0) {
                Subject self = subjects.get(random.nextInt(subjects.size()));
                Subject victim = subjects.get(random.nextInt(subjects.size()));
                int op = random.nextInt(8);
                if (op > 0) {
                    hostile.incrementAndGet();
                }
                try {
                    TenantContext.where(self.id).call(() -> {
                        try (Connection c = dataSource.getConnection()) {
                            act(c, self, victim, op, nextId, written, leaks);
                        }
                        return null;
                    });
                } catch (java.sql.SQLTransientConnectionException e) {
                    waitedOut.incrementAndGet(); // 204 threads on 4 connections: the pool's timeout, not a leak
                } catch (SQLException e) {
                    if (!"42501".equals(e.getSQLState())) {
                        leaks.put("error:" + e.getSQLState(), e.getMessage());
                    }
                    refused.incrementAndGet();
                }
            }
        };
        long millis = AdversarialIsolationContract.runConcurrently(PLATFORM_THREADS, VIRTUAL_THREADS, worker);

        // Afterwards, as the owner (who sees everything): each tenant's rows are its secret and
        // the rows it wrote itself, nothing planted, nothing changed, nothing missing.
        for (Subject s : subjects) {
            Map<String, Long> bodies = new TreeMap<>();
            try (Connection owner = database.dataSource().getConnection();
                    PreparedStatement p = owner.prepareStatement(
                            "SELECT body, COUNT(*) FROM " + s.table() + " WHERE tenant_id = ? GROUP BY body")) {
                p.setString(1, s.id.value());
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        bodies.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
            Map<String, Long> expected = new TreeMap<>();
            expected.put(s.id.value() + " secret", 1L);
            long own = written.getOrDefault(s.id, 0L);
            if (own > 0) {
                expected.put("own", own);
            }
            if (!bodies.equals(expected)) {
                leaks.put(s.id + ":data", "expected " + expected + ", found " + bodies);
            }
            if (s.model == IsolationModel.SCHEMA) {
                try (Connection owner = database.dataSource().getConnection();
                        PreparedStatement p =
                                owner.prepareStatement("SELECT COUNT(*) FROM " + s.table() + " WHERE tenant_id <> ?")) {
                    p.setString(1, s.id.value());
                    try (ResultSet rs = p.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) > 0) {
                            leaks.put(s.id + ":planted", rs.getLong(1) + " rows of other tenants in its schema");
                        }
                    }
                }
            }
        }
        System.out.printf(
                "[tenancy] injected SQL on POSTGRESQL%s: %d operations (%d hostile, %d refused by the database,"
                        + " %d timed out waiting for a connection) over %d tenants (shared/schema), %d platform + %d"
                        + " virtual threads, %d ms, leaks=%d%n",
                pooled ? " through PgBouncer (transaction mode)" : "",
                operations,
                hostile.get(),
                refused.get(),
                waitedOut.get(),
                TENANTS,
                PLATFORM_THREADS,
                VIRTUAL_THREADS,
                millis,
                leaks.size());
        assertThat(leaks).isEmpty();
        assertThat(refused.get())
                .as("some hostile inserts reach the database and are refused")
                .isPositive();
    }

    private static void act(
            Connection c,
            Subject self,
            Subject victim,
            int op,
            AtomicLong nextId,
            Map<TenantId, Long> written,
            Map<String, String> leaks)
            throws SQLException {
        String other = victim.id.value();
        if (op >= 4 && op <= 6 && victim.equals(self)) {
            return; // writing to its own rows is not an attack
        }
        switch (op) {
            case 0 -> { // an ordinary write of its own
                try (PreparedStatement p =
                        c.prepareStatement("INSERT INTO notes (tenant_id, id, body) VALUES (?, ?, 'own')")) {
                    p.setString(1, self.id.value());
                    p.setLong(2, nextId.getAndIncrement());
                    p.executeUpdate();
                }
                written.merge(self.id, 1L, Long::sum);
            }
            case 1 -> expectOnly(c, self, "SELECT tenant_id, body FROM " + victim.table(), leaks);
            case 2 -> {
                forge(c, other);
                expectOnly(c, self, "SELECT tenant_id, body FROM " + victim.table(), leaks);
                expectOnly(c, self, "SELECT tenant_id, body FROM notes", leaks);
            }
            case 3 -> {
                forge(c, other);
                expectOnly(
                        c, self, "SELECT tenant_id, body FROM public.notes WHERE tenant_id = '" + other + "'", leaks);
            }
            case 4 -> { // planting a row: refused by the policy's check (42501)
                if (random(2) == 0) {
                    forge(c, other);
                }
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("INSERT INTO " + victim.table() + " (tenant_id, id, body) VALUES ('" + other + "', "
                            + nextId.getAndIncrement() + ", 'planted')");
                }
                leaks.put(self.id + "->" + other + ":insert", "a row planted in " + victim.table());
            }
            case 5 -> {
                forge(c, other);
                try (Statement s = c.createStatement()) {
                    int n = s.executeUpdate(
                            "UPDATE " + victim.table() + " SET body = 'defaced' WHERE tenant_id = '" + other + "'");
                    if (n > 0 && !victim.id.equals(self.id)) {
                        leaks.put(self.id + "->" + other + ":update", n + " rows");
                    }
                }
            }
            case 6 -> {
                forge(c, other);
                try (Statement s = c.createStatement()) {
                    int n = s.executeUpdate("DELETE FROM " + victim.table() + " WHERE tenant_id = '" + other + "'");
                    if (n > 0 && !victim.id.equals(self.id)) {
                        leaks.put(self.id + "->" + other + ":delete", n + " rows");
                    }
                }
            }
            default -> { // a made-up signature
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT set_config('tenancy.binding', 'w:" + "0".repeat(64) + "', false)");
                }
                expectOnly(c, self, "SELECT tenant_id, body FROM " + victim.table(), leaks);
            }
        }
    }

    private static DatabaseServer pooled(DatabaseServer server, boolean pooled) {
        return pooled ? server.withTransactionPooling() : server;
    }

    private static int random(int bound) {
        return ThreadLocalRandom.current().nextInt(bound);
    }

    private static void forge(Connection c, String tenant) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT set_config('tenancy.tenant_id', '" + tenant + "', false)");
        }
    }

    private static void expectOnly(Connection c, Subject self, String sql, Map<String, String> leaks)
            throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                if (!self.id.value().equals(rs.getString(1))) {
                    leaks.put(self.id + "->" + rs.getString(1) + ":read", sql + " returned " + rs.getString(2));
                }
            }
        }
    }
}
