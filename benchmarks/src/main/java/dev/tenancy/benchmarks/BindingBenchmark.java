package dev.tenancy.benchmarks;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The ways a PostgreSQL connection can be pointed at a tenant, measured side by side on one
 * connection (no pool) with the tenant alternating between two schemas on every operation, each
 * operation being "bind, then one prepared query of the tenant's table":
 *
 * <ul>
 *   <li>{@code sessionSet}: the three settings as one text of {@code SET} commands, then the query
 *       (what {@code TenantDataSource} does when a borrow changes tenant; same-tenant borrows skip
 *       the binding, see {@code sessionSet_sameTenant});
 *   <li>{@code sessionSetAndReset}: the same, plus {@code RESET}s when the connection is returned,
 *       as libraries that clean up on return do;
 *   <li>{@code setConfig}: one prepared {@code SELECT set_config(...)} for all three settings;
 *   <li>{@code transactionScoped}: {@code SET LOCAL} inside an explicit transaction, committed after
 *       the query (the binding cannot outlive the transaction);
 *   <li>{@code schemaQualified}: no binding; the SQL names the tenant's schema;
 *   <li>{@code floor_queryOnly}: the query alone, nothing rebinds.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class BindingBenchmark {
    private static final String ADMIN_URL = env("TENANCY_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String USER = env("TENANCY_PG_USER", "postgres");
    private static final String BENCH_DB = "tenancy_bench_binding";
    private static final String[] SCHEMAS = {"t_bench_a", "t_bench_b"};
    private static final String[] TENANTS = {"bench-a", "bench-b"};

    private Connection connection;
    private Statement text;
    private PreparedStatement query;
    private PreparedStatement setConfig;
    private PreparedStatement[] qualified;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        admin("DROP DATABASE IF EXISTS " + BENCH_DB + " WITH (FORCE)");
        admin("CREATE DATABASE " + BENCH_DB);
        String url = ADMIN_URL.replaceFirst("/[^/?]+(\\?|$)", "/" + BENCH_DB + "$1");
        connection = DriverManager.getConnection(url, USER, "");
        text = connection.createStatement();
        for (String schema : SCHEMAS) {
            text.execute("CREATE SCHEMA " + schema);
            text.execute("CREATE TABLE " + schema + ".items (id int PRIMARY KEY, tenant_id text)");
            text.execute("INSERT INTO " + schema + ".items VALUES (1, '" + schema + "')");
        }
        query = connection.prepareStatement("SELECT tenant_id FROM items WHERE id = ?");
        setConfig = connection.prepareStatement("SELECT set_config('search_path', ?, false),"
                + " set_config('tenancy.tenant_id', ?, false), set_config('default_transaction_read_only', ?, false)");
        qualified = new PreparedStatement[SCHEMAS.length];
        for (int i = 0; i < SCHEMAS.length; i++) {
            qualified[i] = connection.prepareStatement("SELECT tenant_id FROM " + SCHEMAS[i] + ".items WHERE id = ?");
        }
        text.execute("SET search_path TO " + SCHEMAS[0]);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        connection.close();
        admin("DROP DATABASE IF EXISTS " + BENCH_DB + " WITH (FORCE)");
    }

    private static String sessionSet(int tenant) {
        return "SET search_path TO \"" + SCHEMAS[tenant] + "\"; SET tenancy.tenant_id TO '" + TENANTS[tenant]
                + "'; SET default_transaction_read_only TO off";
    }

    private String query(PreparedStatement statement) throws SQLException {
        statement.setInt(1, 1);
        try (ResultSet rs = statement.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Benchmark
    public String floor_queryOnly() throws SQLException {
        return query(query);
    }

    @Benchmark
    public String sessionSet() throws SQLException {
        text.execute(sessionSet(next++ & 1));
        return query(query);
    }

    @Benchmark
    public String sessionSet_sameTenant() throws SQLException {
        return query(query); // the binding is remembered per connection: nothing is sent
    }

    @Benchmark
    public String sessionSetAndReset() throws SQLException {
        text.execute(sessionSet(next++ & 1));
        String result = query(query);
        text.execute("RESET search_path; RESET tenancy.tenant_id; RESET default_transaction_read_only");
        return result;
    }

    @Benchmark
    public String setConfig() throws SQLException {
        int tenant = next++ & 1;
        setConfig.setString(1, SCHEMAS[tenant]);
        setConfig.setString(2, TENANTS[tenant]);
        setConfig.setString(3, "off");
        try (ResultSet rs = setConfig.executeQuery()) {
            rs.next();
        }
        return query(query);
    }

    @Benchmark
    public String transactionScoped() throws SQLException {
        int tenant = next++ & 1;
        connection.setAutoCommit(false);
        try {
            text.execute("SET LOCAL search_path TO \"" + SCHEMAS[tenant] + "\"; SET LOCAL tenancy.tenant_id TO '"
                    + TENANTS[tenant] + "'");
            String result = query(query);
            connection.commit();
            return result;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    @Benchmark
    public String schemaQualified() throws SQLException {
        return query(qualified[next++ & 1]);
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(ADMIN_URL, USER, "");
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
