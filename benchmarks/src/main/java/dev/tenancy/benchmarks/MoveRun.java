package dev.tenancy.benchmarks;

import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.provision.TenantMove;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * Tenant move figures on PostgreSQL (not a JMH benchmark: each move is one long operation, timed
 * once): a shared tenant with {@code orders} orders (default 100,000) and a thousand people, beside
 * another shared tenant of the same size, moved to a database of its own, then into a schema.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.tenancy.benchmarks.MoveRun [orders]
 * </pre>
 */
public final class MoveRun {
    private static final String ADMIN_URL = env("TENANCY_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String USER = env("TENANCY_PG_USER", "postgres");
    private static final String DB = "tenancy_bench_move";
    private static final Actor ADMIN = Actor.system("bench");
    private static final TenantId ACME = TenantId.of("bench-acme");
    private static final TenantId GLOBEX = TenantId.of("bench-globex");

    public static void main(String[] args) throws Exception {
        int orders = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        admin("DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
        admin("DROP DATABASE IF EXISTS " + ACME.databaseName() + " WITH (FORCE)");
        admin("CREATE DATABASE " + DB);
        String url = ADMIN_URL.substring(0, ADMIN_URL.lastIndexOf('/') + 1) + DB;
        try {
            TenantCatalog catalog = TenantCatalog.inMemory(AuditLog.inMemory());
            for (TenantId id : new TenantId[] {ACME, GLOBEX}) {
                catalog.register(
                        TenantRegistration.builder(id, id.value()).active().build(), ADMIN);
            }
            try (Connection c = DriverManager.getConnection(url, USER, "");
                    Statement s = c.createStatement()) {
                s.execute(new String(
                        MoveRun.class
                                .getResourceAsStream("/bench/move/V1__people_and_orders.sql")
                                .readAllBytes(),
                        java.nio.charset.StandardCharsets.UTF_8));
                for (TenantId id : new TenantId[] {ACME, GLOBEX}) {
                    s.execute("INSERT INTO people (tenant_id, name) SELECT '" + id + "', 'person ' || g"
                            + " FROM generate_series(1, 1000) g");
                    s.execute("INSERT INTO orders (tenant_id, person_id, total_cents, note) SELECT '" + id + "',"
                            + " (SELECT MIN(id) FROM people WHERE tenant_id = '" + id + "') + g % 1000, g * 7,"
                            + " 'order ' || g FROM generate_series(1, " + orders + ") g");
                }
                s.execute("ANALYZE");
            }
            try (TenantDataSource dataSource = TenantDataSource.builder()
                    .allowInsecureRole() // connects as the test server's superuser
                    .catalog(catalog)
                    .server(DatabaseServer.of("default", url, USER, "")
                            .withDatabaseUrlTemplate(
                                    ADMIN_URL.substring(0, ADMIN_URL.lastIndexOf('/') + 1) + "{database}"))
                    .build()) {
                TenantMove mover = TenantMove.builder()
                        .catalog(catalog)
                        .dataSource(dataSource)
                        .classLoader(MoveRun.class.getClassLoader())
                        .migrations("classpath:bench/move")
                        .sharedTable("people", "tenant_id")
                        .sharedTable("orders", "tenant_id")
                        .build();
                long rows = orders + 1000L;
                time("shared -> database", rows, () -> mover.move(ACME, IsolationModel.DATABASE, "default", ADMIN));
                time("database -> schema", rows, () -> mover.move(ACME, IsolationModel.SCHEMA, "default", ADMIN));
                time("schema -> shared", rows, () -> mover.move(ACME, IsolationModel.SHARED, "default", ADMIN));
            }
        } finally {
            admin("DROP DATABASE IF EXISTS " + ACME.databaseName() + " WITH (FORCE)");
            admin("DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
        }
    }

    private static void time(String what, long rows, Runnable move) {
        long start = System.nanoTime();
        move.run();
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf(Locale.ROOT, "%-20s %,d rows in %,d ms (%,.0f rows/s)%n", what, rows, ms, rows * 1000.0 / ms);
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
