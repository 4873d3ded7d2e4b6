package dev.tenancy.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.TenantId;
import dev.tenancy.audit.JdbcAuditLog;
import dev.tenancy.catalog.JdbcTenantCatalog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.provision.FleetMigration;
import dev.tenancy.provision.FleetReport;
import dev.tenancy.provision.TenantProvisioner;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Provisioning and fleet-migration figures on PostgreSQL (not a JMH benchmark: each figure is one
 * long operation over many tenants, timed once).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.tenancy.benchmarks.FleetRun [schemaTenants] [parallelism]
 * </pre>
 *
 * <ol>
 *   <li>Provisioning time per tenant, one at a time: shared, schema, database (plain) and database
 *       from a template.
 *   <li>{@code schemaTenants} schema tenants (default 1,000) provisioned at v1, 8 at a time.
 *   <li>A fleet run to v2 one tenant at a time, then to v3 with {@code parallelism} (default 4).
 *   <li>Confirming the fleet is current: the ledger query.
 * </ol>
 */
public final class FleetRun {
    private static final String ADMIN_URL = env("TENANCY_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String USER = env("TENANCY_PG_USER", "postgres");
    private static final String DB = "tenancy_bench_fleet";
    private static final String TEMPLATE = "tenancy_bench_template";
    private static final Actor ADMIN = Actor.system("bench");
    private static final String V1 = "classpath:bench/tenant/v1";
    private static final String V2 = "classpath:bench/tenant/v2";
    private static final String V3 = "classpath:bench/tenant/v3";

    public static void main(String[] args) throws Exception {
        int tenants = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int parallelism = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        List<String> databases = new ArrayList<>();
        admin("DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
        admin("CREATE DATABASE " + DB);
        String url = ADMIN_URL.replaceFirst("/[^/?]+(\\?|$)", "/" + DB + "$1");
        String template = ADMIN_URL.replaceFirst("/[^/?]+(\\?|$)", "/{database}$1");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(USER);
        config.setMaximumPoolSize(12);
        try (HikariDataSource platform = new HikariDataSource(config)) {
            TenantCatalog catalog = TenantCatalog.cached(
                    JdbcTenantCatalog.builder(platform)
                            .auditLog(JdbcAuditLog.builder(platform).build())
                            .build(),
                    Duration.ofMinutes(5));
            try (TenantDataSource routing = TenantDataSource.builder()
                    .allowInsecureRole() // connects as the test server's superuser
                    .catalog(catalog)
                    .server(DatabaseServer.of("default", url, USER, "").withDatabaseUrlTemplate(template))
                    .build()) {
                TenantProvisioner.Builder provisioner = TenantProvisioner.builder()
                        .catalog(catalog)
                        .dataSource(routing)
                        .platform(platform)
                        .classLoader(FleetRun.class.getClassLoader())
                        .migrations(V1);

                // 1. One at a time, per model.
                prepareTemplate(template);
                perTenant("shared", 20, IsolationModel.SHARED, catalog, provisioner.build(), databases);
                perTenant("schema", 20, IsolationModel.SCHEMA, catalog, provisioner.build(), databases);
                perTenant("database, empty", 10, IsolationModel.DATABASE, catalog, provisioner.build(), databases);
                perTenant(
                        "database, from template",
                        10,
                        IsolationModel.DATABASE,
                        catalog,
                        provisioner.templateDatabase(TEMPLATE).build(),
                        databases);

                // 2. The fleet.
                TenantProvisioner fleetProvisioner = provisioner.build();
                long start = System.nanoTime();
                try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
                    List<Future<?>> futures = new ArrayList<>();
                    for (int i = 0; i < tenants; i++) {
                        TenantId id = TenantId.of(String.format("fleet-%04d", i));
                        futures.add(pool.submit(() -> {
                            catalog.register(
                                    TenantRegistration.builder(id, id.value())
                                            .isolation(IsolationModel.SCHEMA)
                                            .build(),
                                    ADMIN);
                            return fleetProvisioner.provision(id, ADMIN);
                        }));
                    }
                    for (Future<?> f : futures) {
                        f.get();
                    }
                }
                print("provisioned %,d schema tenants, 8 at a time: %,d ms", tenants, millis(start));

                FleetMigration.Builder fleet = FleetMigration.builder()
                        .catalog(catalog)
                        .dataSource(routing)
                        .platform(platform)
                        .classLoader(FleetRun.class.getClassLoader())
                        .canary(5);
                start = System.nanoTime();
                int behind = fleet.migrations(V1).build().behind().size();
                print(
                        "confirm the fleet is current at v1 (catalog listing + one ledger query): %,d ms, %d behind",
                        millis(start), behind);

                FleetReport one = fleet.migrations(V2).parallelism(1).build().run();
                print("v2 one tenant at a time: %s", one);
                FleetReport parallel =
                        fleet.migrations(V3).parallelism(parallelism).build().run();
                print("v3 with parallelism %d: %s", parallelism, parallel);
                print(
                        "speedup: %.2fx",
                        (double) one.elapsed().toMillis() / parallel.elapsed().toMillis());

                start = System.nanoTime();
                behind = fleet.build().behind().size();
                print("confirm the fleet is current at v3: %,d ms, %d behind", millis(start), behind);
            }
        } finally {
            for (String database : databases) {
                admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
            admin("DROP DATABASE IF EXISTS " + TEMPLATE);
            admin("DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
        }
    }

    private static void perTenant(
            String label,
            int count,
            IsolationModel model,
            TenantCatalog catalog,
            TenantProvisioner provisioner,
            List<String> databases) {
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            TenantId id = TenantId.of(label.replaceAll("[^a-z]+", "-") + "-" + i);
            catalog.register(
                    TenantRegistration.builder(id, id.value()).isolation(model).build(), ADMIN);
            if (model == IsolationModel.DATABASE) {
                databases.add(id.databaseName());
            }
            provisioner.provision(id, ADMIN);
        }
        print(
                "provision one %s tenant: %.1f ms (mean of %d, one at a time)",
                label, millis(start) / (double) count, count);
    }

    /** A template database already migrated to v1, so new databases start with the tables. */
    private static void prepareTemplate(String template) throws SQLException {
        admin("DROP DATABASE IF EXISTS " + TEMPLATE);
        admin("CREATE DATABASE " + TEMPLATE);
        org.flywaydb.core.Flyway.configure(FleetRun.class.getClassLoader())
                .dataSource(template.replace("{database}", TEMPLATE), USER, "")
                .locations(V1)
                .table("flyway_schema_history")
                .load()
                .migrate();
    }

    private static long millis(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static void print(String format, Object... args) {
        System.out.println("[fleet] " + String.format(Locale.ROOT, format, args));
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
