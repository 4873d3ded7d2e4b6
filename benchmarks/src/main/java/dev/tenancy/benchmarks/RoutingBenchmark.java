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
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.TenantDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
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
 * Borrow + {@code SELECT 1} + close on PostgreSQL through {@link TenantDataSource}, for each
 * isolation model, serving one tenant or alternating between two on every borrow, against the same
 * work on a plain HikariCP pool of the same size in the same run. The server is {@code
 * TENANCY_PG_URL} (default {@code jdbc:postgresql://127.0.0.1:5432/test}); the benchmark creates
 * and drops its own databases.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class RoutingBenchmark {

    @Param({"SHARED", "SCHEMA", "DATABASE"})
    public IsolationModel model;

    @Param({"same", "alternating"})
    public String tenants;

    private static final String ADMIN_URL = env("TENANCY_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String USER = env("TENANCY_PG_USER", "postgres");
    private static final String BENCH_DB = "tenancy_bench_routing";

    private HikariDataSource raw;
    private TenantDataSource routed;
    private TenantScope[] scopes;
    private int next;

    @Setup
    public void setUp() throws SQLException {
        admin("DROP DATABASE IF EXISTS " + BENCH_DB + " WITH (FORCE)");
        admin("CREATE DATABASE " + BENCH_DB);
        String url = ADMIN_URL.replaceFirst("/[^/?]+(\\?|$)", "/" + BENCH_DB + "$1");
        TenantCatalog catalog =
                TenantCatalog.cached(TenantCatalog.inMemory(AuditLog.inMemory()), Duration.ofMinutes(5));
        TenantId[] ids = {TenantId.of("bench-a"), TenantId.of("bench-b")};
        scopes = new TenantScope[ids.length];
        for (int i = 0; i < ids.length; i++) {
            TenantId id = ids[i];
            catalog.register(
                    TenantRegistration.builder(id, id.value())
                            .isolation(model)
                            .active()
                            .build(),
                    Actor.system("bench"));
            if (model == IsolationModel.SCHEMA) {
                run(url, "CREATE SCHEMA " + id.schemaName());
            } else if (model == IsolationModel.DATABASE) {
                admin("DROP DATABASE IF EXISTS " + id.databaseName() + " WITH (FORCE)");
                admin("CREATE DATABASE " + id.databaseName());
            }
            scopes[i] = TenantContext.where(id);
        }
        String template = ADMIN_URL.replaceFirst("/[^/?]+(\\?|$)", "/{database}$1");
        routed = TenantDataSource.builder()
                .allowInsecureRole() // connects as the test server's superuser
                .catalog(catalog)
                .server(DatabaseServer.of("default", url, USER, "")
                        .withDatabaseUrlTemplate(template)
                        .withMaximumPoolSize(2)
                        .withTenantPoolSize(2))
                .build();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(USER);
        config.setMaximumPoolSize(2);
        raw = new HikariDataSource(config);
    }

    @TearDown
    public void tearDown() throws SQLException {
        routed.close();
        raw.close();
        admin("DROP DATABASE IF EXISTS " + BENCH_DB + " WITH (FORCE)");
        if (model == IsolationModel.DATABASE) {
            admin("DROP DATABASE IF EXISTS t_bench_a WITH (FORCE)");
            admin("DROP DATABASE IF EXISTS t_bench_b WITH (FORCE)");
        }
    }

    @Benchmark
    public int plainHikari() throws SQLException {
        return selectOne(raw);
    }

    @Benchmark
    public int tenantDataSource() throws SQLException {
        TenantScope scope = tenants.equals("same") ? scopes[0] : scopes[next++ & 1];
        return scope.call(() -> selectOne(routed));
    }

    private static int selectOne(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT 1")) {
            rs.next();
            return rs.getInt(1);
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
