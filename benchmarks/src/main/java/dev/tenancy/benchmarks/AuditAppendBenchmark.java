package dev.tenancy.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditEntry;
import dev.tenancy.audit.JdbcAuditLog;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Audited writes per second across two nodes on PostgreSQL: 4 threads, half of them on each of two
 * pools (two nodes) over one platform database, each transaction updating a row of its own and
 * recording it. The chain's head row is locked from the append to the commit, so every audited
 * change of every node takes its turn for that span. In the same run:
 *
 * <ul>
 *   <li>{@code unaudited}: the update and an insert into a plain, unchained events table: the floor;
 *   <li>{@code unauditedWithWork}: the same with 1 ms more of the transaction's own work: the floor of
 *       {@code auditedFirst};
 *   <li>{@code auditedLast}: the update, then the keyed append ({@link JdbcAuditLog#append(Connection,
 *       AuditEntry)}) right before the commit, as the library's own stores do: the head is held for
 *       the append and the commit;
 *   <li>{@code auditedFirst}: the append first, then the update and 1 ms more of the transaction's
 *       own work: what an application that audits early pays, the head held throughout.
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(4)
@State(Scope.Benchmark)
public class AuditAppendBenchmark {
    private static final String ADMIN_URL = env("TENANCY_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String USER = env("TENANCY_PG_USER", "postgres");
    private static final String BENCH_DB = "tenancy_bench_audit";
    private static final byte[] KEY = "an audit chain key of 32 bytes!!".getBytes(StandardCharsets.UTF_8);
    private static final Actor ACTOR = Actor.user("bench", "system_admin");
    private static final TenantId ACME = TenantId.of("acme");

    private HikariDataSource nodeA;
    private HikariDataSource nodeB;
    private JdbcAuditLog auditA;
    private JdbcAuditLog auditB;
    private final AtomicInteger threads = new AtomicInteger();

    /** Which node a thread writes through, and the row it updates. */
    @State(Scope.Thread)
    public static class Writer {
        int id;
        HikariDataSource pool;
        JdbcAuditLog audit;

        @Setup
        public void pick(AuditAppendBenchmark bench) {
            id = bench.threads.getAndIncrement();
            pool = id % 2 == 0 ? bench.nodeA : bench.nodeB;
            audit = id % 2 == 0 ? bench.auditA : bench.auditB;
        }
    }

    @Setup
    public void setUp() throws SQLException {
        try (Connection admin = DriverManager.getConnection(ADMIN_URL, USER, env("TENANCY_PG_PASSWORD", ""));
                Statement s = admin.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + BENCH_DB + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + BENCH_DB);
        }
        nodeA = pool("node-a");
        nodeB = pool("node-b");
        auditA = JdbcAuditLog.builder(nodeA).chainKey(KEY).build();
        auditB = JdbcAuditLog.builder(nodeB).chainKey(KEY).installSchema(false).build();
        try (Connection c = nodeA.getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL)");
            s.execute("INSERT INTO accounts SELECT g, 0 FROM generate_series(0, 63) g");
            s.execute("CREATE TABLE plain_events (id BIGSERIAL PRIMARY KEY, action TEXT, entity_id TEXT,"
                    + " metadata TEXT, created_at TIMESTAMPTZ DEFAULT now())");
            c.commit();
        }
    }

    private static HikariDataSource pool(String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(ADMIN_URL.substring(0, ADMIN_URL.lastIndexOf('/') + 1) + BENCH_DB);
        config.setUsername(USER);
        config.setPassword(env("TENANCY_PG_PASSWORD", ""));
        config.setMaximumPoolSize(4);
        config.setPoolName(name);
        config.setAutoCommit(false);
        return new HikariDataSource(config);
    }

    @TearDown
    public void tearDown() throws SQLException {
        nodeA.close();
        nodeB.close();
        try (Connection admin = DriverManager.getConnection(ADMIN_URL, USER, env("TENANCY_PG_PASSWORD", ""));
                Statement s = admin.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + BENCH_DB + " WITH (FORCE)");
        }
    }

    private static void update(Connection c, int id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE accounts SET balance = balance + 1 WHERE id = ?")) {
            s.setInt(1, id);
            s.executeUpdate();
        }
    }

    private static void insertPlain(Connection c, int id) throws SQLException {
        try (PreparedStatement s =
                c.prepareStatement("INSERT INTO plain_events (action, entity_id, metadata) VALUES (?, ?, ?)")) {
            s.setString(1, "update");
            s.setString(2, Integer.toString(id));
            s.setString(3, "{\"delta\":1}");
            s.executeUpdate();
        }
    }

    private static AuditEntry entry(int id) {
        return AuditEntry.of("update", "account", Integer.toString(id), ACME, ACTOR, Map.of("delta", 1));
    }

    @Benchmark
    public void unaudited(Writer w) throws SQLException {
        try (Connection c = w.pool.getConnection()) {
            update(c, w.id);
            insertPlain(c, w.id);
            c.commit();
        }
    }

    @Benchmark
    public void unauditedWithWork(Writer w) throws SQLException {
        try (Connection c = w.pool.getConnection()) {
            insertPlain(c, w.id);
            update(c, w.id);
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_sleep(0.001)");
            }
            c.commit();
        }
    }

    @Benchmark
    public void auditedLast(Writer w) throws SQLException {
        try (Connection c = w.pool.getConnection()) {
            update(c, w.id);
            w.audit.append(c, entry(w.id));
            c.commit();
        }
    }

    @Benchmark
    public void auditedFirst(Writer w) throws SQLException {
        try (Connection c = w.pool.getConnection()) {
            w.audit.append(c, entry(w.id));
            update(c, w.id);
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_sleep(0.001)");
            }
            c.commit();
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
