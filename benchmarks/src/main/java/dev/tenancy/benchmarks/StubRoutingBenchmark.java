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
import java.sql.PreparedStatement;
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
 * {@link RoutingBenchmark} over {@link StubDriver}: borrow + {@code SELECT 1} + close with no
 * database behind the driver, so what is left is HikariCP's cost and the library's own (context
 * lookup, catalog hit, binding check, connection and statement proxies, the binding statement on a
 * tenant switch). Plain HikariCP over the same stub is measured in the same run.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class StubRoutingBenchmark {

    @Param({"SHARED", "SCHEMA", "DATABASE"})
    public IsolationModel model;

    @Param({"same", "alternating"})
    public String tenants;

    private HikariDataSource raw;
    private TenantDataSource routed;
    private TenantScope[] scopes;
    private int next;

    @Setup
    public void setUp() throws SQLException {
        StubDriver.register();
        TenantCatalog catalog =
                TenantCatalog.cached(TenantCatalog.inMemory(AuditLog.inMemory()), Duration.ofMinutes(5));
        TenantId[] ids = {TenantId.of("bench-a"), TenantId.of("bench-b")};
        scopes = new TenantScope[ids.length];
        for (int i = 0; i < ids.length; i++) {
            catalog.register(
                    TenantRegistration.builder(ids[i], ids[i].value())
                            .isolation(model)
                            .active()
                            .build(),
                    Actor.system("bench"));
            scopes[i] = TenantContext.where(ids[i]);
        }
        routed = TenantDataSource.builder()
                .allowInsecureRole() // connects as the test server's superuser
                .catalog(catalog)
                .server(DatabaseServer.of("default", StubDriver.PREFIX + "platform", "sa", "")
                        .withDatabaseUrlTemplate(StubDriver.PREFIX + "{database}")
                        .withMaximumPoolSize(2)
                        .withTenantPoolSize(2))
                .build();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(StubDriver.PREFIX + "plain");
        config.setUsername("sa");
        config.setMaximumPoolSize(2);
        raw = new HikariDataSource(config);
    }

    @TearDown
    public void tearDown() {
        routed.close();
        raw.close();
    }

    @Benchmark
    public int plainHikari() throws SQLException {
        return selectOne(raw);
    }

    @Benchmark
    public int tenantDataSource() throws SQLException {
        return scope().call(() -> selectOne(routed));
    }

    /** Hibernate's statements for a find and an update of a {@code @TenantId} entity (see {@link HibernateBenchmark}). */
    private static final String FIND =
            "select bn1_0.id,bn1_0.body,bn1_0.tenant_id from notes bn1_0" + " where bn1_0.id=? and bn1_0.tenant_id = ?";

    private static final String UPDATE = "update notes set body=?,tenant_id=? where id=? and tenant_id = ?";

    /** A borrow that prepares and runs Hibernate's two statements: the per-statement checks weigh more here. */
    @Benchmark
    public int plainHikariFindAndUpdate() throws SQLException {
        return findAndUpdate(raw);
    }

    @Benchmark
    public int tenantDataSourceFindAndUpdate() throws SQLException {
        return scope().call(() -> findAndUpdate(routed));
    }

    private static int findAndUpdate(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            int found;
            try (PreparedStatement find = c.prepareStatement(FIND)) {
                find.setLong(1, 1L);
                find.setString(2, "bench-a");
                try (ResultSet rs = find.executeQuery()) {
                    rs.next();
                    found = rs.getInt(1);
                }
            }
            try (PreparedStatement update = c.prepareStatement(UPDATE)) {
                update.setString(1, "v");
                update.setString(2, "bench-a");
                update.setLong(3, 1L);
                update.setString(4, "bench-a");
                return found + update.executeUpdate();
            }
        }
    }

    /** The tenant of this borrow: always the first, or the two in turn. */
    private TenantScope scope() {
        return tenants.equals("same") ? scopes[0] : scopes[next++ & 1];
    }

    private static int selectOne(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
