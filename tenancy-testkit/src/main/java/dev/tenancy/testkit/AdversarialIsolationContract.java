package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.TenantDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Many threads and virtual threads over many tenants of every isolation model at once (hybrid),
 * in random interleavings, with poisoned sessions, rollbacks, open transactions and failing
 * statements injected: no operation may see or change another tenant's rows.
 *
 * <p>The number of operations is {@code -Dtenancy.adversarial.ops} (default 60,000, about two minutes on PostgreSQL here); the run prints
 * one line with what it did.
 */
public abstract class AdversarialIsolationContract {

    protected abstract TestDatabase.Kind kind();

    /** The server the contract's tenants live on (a subclass may reach it through a pooler). */
    protected DatabaseServer server(TestDatabase database) {
        return DatabaseServer.of("default", database.jdbcUrl(), database.user(), database.password())
                .withDatabaseUrlTemplate(database.databaseUrlTemplate());
    }

    /** How many operations to run ({@code -Dtenancy.adversarial.ops}, default 60,000). */
    protected long operations() {
        return Long.getLong("tenancy.adversarial.ops", 60_000);
    }

    private static final int TENANTS = 51;
    private static final int PLATFORM_THREADS = 8;
    private static final int VIRTUAL_THREADS = 1000;

    private TestDatabase database;
    private TenantDataSource dataSource;

    @AfterEach
    void tearDown() {
        if (dataSource != null) {
            dataSource.close();
        }
        if (database != null) {
            database.close();
        }
    }

    private record Subject(TenantId id, IsolationModel model, AtomicInteger committed) {}

    @Test
    void randomInterleavings_neverCrossTenants() throws Exception {
        long operations = operations();
        database = TestDatabase.of(kind());
        TenantCatalog catalog =
                TenantCatalog.cached(TenantCatalog.inMemory(AuditLog.inMemory()), Duration.ofMinutes(5));
        database.execute("CREATE TABLE notes (tenant_id VARCHAR(48) NOT NULL, body VARCHAR(200) NOT NULL)");
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        List<Subject> subjects = new ArrayList<>();
        IsolationModel[] models = IsolationModel.values();
        for (int i = 0; i < TENANTS; i++) {
            IsolationModel model = models[i % models.length];
            TenantId id = TenantId.of("adv-" + i + "-" + suffix);
            catalog.register(
                    TenantRegistration.builder(id, "T" + i)
                            .isolation(model)
                            .active()
                            .build(),
                    Actor.system("t"));
            String table = "CREATE TABLE notes (tenant_id VARCHAR(48) NOT NULL, body VARCHAR(200) NOT NULL)";
            if (model == IsolationModel.SCHEMA) {
                database.execute("CREATE SCHEMA \"" + id.schemaName() + "\"");
                database.execute(table.replace("notes", "\"" + id.schemaName() + "\".notes"));
            } else if (model == IsolationModel.DATABASE) {
                database.createDatabase(id.databaseName());
                database.executeIn(id.databaseName(), table);
            }
            subjects.add(new Subject(id, model, new AtomicInteger()));
        }
        dataSource = TenantDataSource.builder()
                .allowInsecureRole() // connects as the test server's superuser
                .catalog(catalog)
                .server(server(database).withMaximumPoolSize(4).withTenantPoolSize(1))
                .maxTenantPools(8)
                .connectionBudget(12)
                .budgetTimeout(Duration.ofSeconds(10))
                .build();

        AtomicLong remaining = new AtomicLong(operations);
        AtomicLong done = new AtomicLong();
        AtomicLong injected = new AtomicLong();
        Map<String, String> leaks = new ConcurrentHashMap<>();
        Runnable worker = () -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (remaining.getAndDecrement() > 0) {
                Subject s = subjects.get(random.nextInt(subjects.size()));
                int op = random.nextInt(10);
                try {
                    TenantContext.where(s.id).call(() -> {
                        operate(s, op, leaks, injected);
                        return null;
                    });
                } catch (SQLException expected) {
                    // injected failures
                }
                done.incrementAndGet();
            }
        };
        long millis = runConcurrently(PLATFORM_THREADS, VIRTUAL_THREADS, worker);

        for (Subject s : subjects) {
            int seen = TenantContext.where(s.id).call(() -> countOwn(s, leaks));
            if (seen != s.committed.get()) {
                leaks.put(s.id + ":count", "committed " + s.committed.get() + " but sees " + seen);
            }
        }
        System.out.printf(
                "[tenancy] adversarial isolation on %s: %d operations (%d injected faults) over %d tenants"
                        + " (shared/schema/database), %d platform + %d virtual threads, %d ms, leaks=%d%n",
                kind(), done.get(), injected.get(), TENANTS, PLATFORM_THREADS, VIRTUAL_THREADS, millis, leaks.size());
        assertThat(leaks).isEmpty();
    }

    /**
     * Runs {@code worker} on {@code platformThreads} platform threads and {@code virtualThreads}
     * virtual threads at once, rethrowing the first failure; the milliseconds it took.
     */
    static long runConcurrently(int platformThreads, int virtualThreads, Runnable worker) throws Exception {
        long started = System.nanoTime();
        try (ExecutorService platform = Executors.newFixedThreadPool(platformThreads);
                ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < platformThreads; i++) {
                futures.add(platform.submit(worker));
            }
            for (int i = 0; i < virtualThreads; i++) {
                futures.add(virtual.submit(worker));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        return (System.nanoTime() - started) / 1_000_000;
    }

    private void operate(Subject s, int op, Map<String, String> leaks, AtomicLong injected) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            switch (op) {
                case 0, 1, 2 -> {
                    insert(c, s);
                    s.committed.incrementAndGet();
                }
                case 3, 4, 5 -> checkOwnRows(c, s, leaks);
                case 6 -> { // rolled back
                    c.setAutoCommit(false);
                    insert(c, s);
                    c.rollback();
                    c.setAutoCommit(true);
                    checkOwnRows(c, s, leaks);
                }
                case 7 -> { // left open: the pool rolls it back
                    c.setAutoCommit(false);
                    insert(c, s);
                }
                case 8 -> { // poisoned session
                    injected.incrementAndGet();
                    try (Statement st = c.createStatement()) {
                        st.execute(
                                kind() == TestDatabase.Kind.H2
                                        ? "SET SCHEMA INFORMATION_SCHEMA"
                                        : "SELECT set_config('search_path', 'pg_catalog', false), set_config('tenancy.tenant_id', 'x', false)");
                    }
                }
                default -> { // failing statement inside a transaction
                    injected.incrementAndGet();
                    c.setAutoCommit(false);
                    try (Statement st = c.createStatement()) {
                        st.execute("SELECT * FROM missing_table_" + op);
                    }
                }
            }
        }
    }

    private static void insert(Connection c, Subject s) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO notes (tenant_id, body) VALUES (?, ?)")) {
            p.setString(1, s.id.value());
            p.setString(2, "x");
            p.executeUpdate();
        }
    }

    private String sharedFilter(Connection c, Subject s) throws SQLException {
        if (kind() == TestDatabase.Kind.H2) {
            return s.id.value();
        }
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_setting('tenancy.tenant_id', true)")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private void checkOwnRows(Connection c, Subject s, Map<String, String> leaks) throws SQLException {
        String sql = s.model == IsolationModel.SHARED
                ? "SELECT DISTINCT tenant_id FROM notes WHERE tenant_id = ?"
                : "SELECT DISTINCT tenant_id FROM notes";
        try (PreparedStatement p = c.prepareStatement(sql)) {
            if (s.model == IsolationModel.SHARED) {
                String bound = sharedFilter(c, s);
                if (!s.id.value().equals(bound)) {
                    leaks.put(s.id + ":binding", "bound to " + bound);
                }
                p.setString(1, bound);
            }
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    if (!s.id.value().equals(rs.getString(1))) {
                        leaks.put(s.id + ":" + rs.getString(1), "saw another tenant's row");
                    }
                }
            }
        }
    }

    private int countOwn(Subject s, Map<String, String> leaks) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            checkOwnRows(c, s, leaks);
            try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM notes WHERE tenant_id = ?")) {
                p.setString(1, s.id.value());
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        }
    }
}
