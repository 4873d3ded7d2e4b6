package dev.tenancy.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.context.TenantScope;
import dev.tenancy.jdbc.BindingKey;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.RowLevelSecurity;
import dev.tenancy.jdbc.TenantDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a hostile pooled session costs: borrow, one prepared primary-key {@code SELECT} on a shared
 * table under signed row-level security, close, as a role that owns nothing, on PostgreSQL, direct
 * ({@code route=direct}, port 5432) and through PgBouncer in transaction mode ({@code
 * route=pgbouncer}, {@code TENANCY_PGBOUNCER_PORT}, default 6432; {@code .ci/run} shows how to start
 * one). In the same run:
 *
 * <ul>
 *   <li>{@code plainHikari}: the same select on a plain HikariCP pool, no tenant at all: the floor
 *       (and what Tenancy's same-tenant fast path cost before every borrow was reset);
 *   <li>{@code resetOnBorrow} / {@code resetOnReturn}: plain HikariCP with the unsigned reset and
 *       binding of {@code SessionBinder} ({@code SELECT public.tenancy_session(...)} and the search
 *       path) sent before the select, or after it, before the close: the two places a reset can go,
 *       like for like;
 *   <li>{@code resetAsTextOnBorrow}: the same reset as the dozen statements {@code SessionBinder}
 *       sends where it cannot install {@code tenancy_session};
 *   <li>{@code tenancySame} / {@code tenancyAlternating}: {@link TenantDataSource} with signed
 *       bindings, one tenant, or two alternating on every borrow.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class PooledSessionBenchmark {

    @Param({"direct", "pgbouncer"})
    public String route;

    private static final String ADMIN_URL = env("TENANCY_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String USER = env("TENANCY_PG_USER", "postgres");
    private static final String APP = "tenancy_pooled_app";
    private static final String BENCH_DB = "tenancy_bench_pooled";
    private static final BindingKey KEY = BindingKey.of("0123456789abcdef0123456789abcdef".getBytes());
    private static final String RESET_CALL = "SELECT public.tenancy_session('bench-a', 'w', 0, NULL, NULL, false);"
            + " SET search_path TO \"public\", pg_temp";
    private static final String RESET = "BEGIN READ WRITE; SET SESSION AUTHORIZATION DEFAULT; RESET ALL; CLOSE ALL;"
            + " UNLISTEN *; SELECT pg_advisory_unlock_all(); DISCARD TEMP; DISCARD SEQUENCES;"
            + " SET search_path TO \"public\", pg_temp; SET tenancy.tenant_id TO 'bench-a';"
            + " SET default_transaction_read_only TO off; COMMIT;"
            + " SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_prepared_statements WHERE from_sql), pg_backend_pid()";

    private HikariDataSource raw;
    private TenantDataSource routed;
    private TenantScope[] scopes;
    private int next;

    @Setup
    public void setUp() throws SQLException {
        admin("DROP DATABASE IF EXISTS " + BENCH_DB + " WITH (FORCE)");
        admin("CREATE DATABASE " + BENCH_DB);
        admin("DO $$ BEGIN CREATE ROLE " + APP + " LOGIN NOSUPERUSER NOBYPASSRLS;"
                + " EXCEPTION WHEN duplicate_object THEN NULL; END $$");
        String direct = ADMIN_URL.replaceFirst("/[^/?]+(\\?|$)", "/" + BENCH_DB + "$1");
        run(
                direct,
                "CREATE TABLE items (tenant_id TEXT NOT NULL, id INT NOT NULL, body TEXT NOT NULL,"
                        + " PRIMARY KEY (tenant_id, id))");
        run(
                direct,
                "INSERT INTO items SELECT t, i, 'row ' || i FROM unnest(ARRAY['bench-a', 'bench-b']) t,"
                        + " generate_series(1, 100) i");
        run(direct, "GRANT SELECT, INSERT, UPDATE, DELETE ON items TO " + APP);
        try (Connection owner = DriverManager.getConnection(direct, USER, "")) {
            RowLevelSecurity.on("items").signedBy(KEY).apply(owner);
        }
        String url = route.equals("direct")
                ? direct
                : direct.replaceFirst("//([^/:]+)(:\\d+)?/", "//$1:" + env("TENANCY_PGBOUNCER_PORT", "6432") + "/");
        TenantCatalog catalog =
                TenantCatalog.cached(TenantCatalog.inMemory(AuditLog.inMemory()), Duration.ofMinutes(5));
        TenantId[] ids = {TenantId.of("bench-a"), TenantId.of("bench-b")};
        scopes = new TenantScope[ids.length];
        for (int i = 0; i < ids.length; i++) {
            catalog.register(
                    TenantRegistration.builder(ids[i], ids[i].value())
                            .isolation(IsolationModel.SHARED)
                            .active()
                            .build(),
                    Actor.system("bench"));
            scopes[i] = TenantContext.where(ids[i]);
        }
        DatabaseServer server =
                DatabaseServer.of("default", url, APP, "").withOwner(USER, "").withMaximumPoolSize(2);
        routed = TenantDataSource.builder()
                .allowInsecureRole() // connects as the test server's superuser
                .catalog(catalog)
                .server(route.equals("direct") ? server : server.withTransactionPooling())
                .signedBinding(KEY)
                .build();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(route.equals("direct") ? url : url + "?prepareThreshold=0");
        config.setUsername(APP);
        config.setMaximumPoolSize(2);
        raw = new HikariDataSource(config);
    }

    @TearDown
    public void tearDown() throws SQLException {
        routed.close();
        raw.close();
        admin("DROP DATABASE IF EXISTS " + BENCH_DB + " WITH (FORCE)");
    }

    @Benchmark
    public String plainHikari() throws SQLException {
        try (Connection c = raw.getConnection()) {
            return select(c, 7);
        }
    }

    @Benchmark
    public String resetOnBorrow() throws SQLException {
        try (Connection c = raw.getConnection()) {
            reset(c, RESET_CALL);
            return select(c, 7);
        }
    }

    @Benchmark
    public String resetOnReturn() throws SQLException {
        try (Connection c = raw.getConnection()) {
            String body = select(c, 7);
            reset(c, RESET_CALL);
            return body;
        }
    }

    @Benchmark
    public String resetAsTextOnBorrow() throws SQLException {
        try (Connection c = raw.getConnection()) {
            reset(c, RESET);
            return select(c, 7);
        }
    }

    @Benchmark
    public String tenancySame() throws SQLException {
        return scopes[0].call(() -> {
            try (Connection c = routed.getConnection()) {
                return select(c, 7);
            }
        });
    }

    @Benchmark
    public String tenancyAlternating() throws SQLException {
        return scopes[next++ & 1].call(() -> {
            try (Connection c = routed.getConnection()) {
                return select(c, 7);
            }
        });
    }

    private static void reset(Connection c, String sql) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.execute();
            while (p.getMoreResults() || p.getUpdateCount() != -1) {
                // drain every result
            }
        }
    }

    /** The row's body, or null when row-level security hides it (plain HikariCP binds no tenant). */
    private static String select(Connection c, int id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT body FROM items WHERE tenant_id = ? AND id = ?")) {
            p.setString(1, "bench-a");
            p.setInt(2, id);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static void admin(String sql) throws SQLException {
        run(ADMIN_URL, sql);
    }

    private static void run(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, USER, "");
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
