package dev.tenancy.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.audit.JdbcAuditLog;
import dev.tenancy.billing.Billing;
import dev.tenancy.billing.BillingCycle;
import dev.tenancy.billing.CycleResult;
import dev.tenancy.billing.Limit;
import dev.tenancy.billing.Metric;
import dev.tenancy.billing.ModuleEntitlements;
import dev.tenancy.billing.Money;
import dev.tenancy.billing.Plan;
import dev.tenancy.billing.PricingConfig;
import dev.tenancy.billing.SubscriptionCycle;
import dev.tenancy.billing.Subscriptions;
import dev.tenancy.billing.UsageMeter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Billing figures on PostgreSQL (one long operation each, timed; not JMH):
 *
 * <ol>
 *   <li>Durable usage records per second ({@link UsageMeter#record}: event + counter in one
 *       transaction), 8 threads for 10 s, over 100 tenants.
 *   <li>The subscription cycle over {@code tenants} subscriptions (default 100,000; a third with the
 *       Commerce OS bundle on, one in ten with a 15 % discount): a dry run, the real run, and a
 *       rerun that finds everything existing.
 * </ol>
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.tenancy.benchmarks.BillingRun [tenants]
 * </pre>
 */
public final class BillingRun {
    private static final String ADMIN_URL = env("TENANCY_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String USER = env("TENANCY_PG_USER", "postgres");
    private static final String DB = "tenancy_bench_billing";
    private static final Actor ADMIN = Actor.system("bench");

    public static void main(String[] args) throws Exception {
        int tenants = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        admin("DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
        admin("CREATE DATABASE " + DB);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(ADMIN_URL.replaceFirst("/[^/?]+(\\?|$)", "/" + DB + "$1"));
        config.setUsername(USER);
        config.setMaximumPoolSize(10);
        try (HikariDataSource ds = new HikariDataSource(config)) {
            JdbcAuditLog audit = JdbcAuditLog.builder(ds).build();
            Set<String> commerce = Set.of("wms_core", "module_b2b_storefront");
            ModuleEntitlements modules = (tenant, sold) -> tenant.value().hashCode() % 3 == 0 ? commerce : Set.of();
            Billing billing = Billing.builder(ds)
                    .auditLog(audit)
                    .modules(modules)
                    .pricing(PricingConfig.defaults())
                    .build();
            billing.plans().publishDefaults(ADMIN);
            billing.plans()
                    .publish(
                            new Plan(
                                    "metered",
                                    "Metered",
                                    "standard",
                                    Money.of(1_000, "USD"),
                                    Money.of(10_000, "USD"),
                                    Map.of("api_calls", Limit.hard(Long.MAX_VALUE - 1)),
                                    Set.of()),
                            ADMIN,
                            "bench");
            Subscriptions subs = billing.subscriptions();

            // 1. durable records per second
            for (int t = 0; t < 100; t++) {
                subs.subscribe(TenantId.of("meter-" + t), "metered", BillingCycle.MONTHLY, 0, ADMIN, "bench");
            }
            try (UsageMeter meter = billing.meter().build()) {
                AtomicLong done = new AtomicLong();
                ExecutorService pool = Executors.newFixedThreadPool(8);
                long end = System.nanoTime() + 10_000_000_000L;
                List<Future<?>> all = new ArrayList<>();
                for (int th = 0; th < 8; th++) {
                    int thread = th;
                    all.add(pool.submit(() -> {
                        long i = 0;
                        while (System.nanoTime() < end) {
                            TenantId t = TenantId.of("meter-" + (i % 100));
                            meter.record(t, Metric.API_CALLS, 1, "req-" + thread + "-" + i++);
                            done.incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : all) {
                    f.get();
                }
                pool.shutdown();
                System.out.printf(
                        Locale.ROOT,
                        "durable usage records: %,d in 10 s = %,.0f records/s (8 threads)%n",
                        done.get(),
                        done.get() / 10.0);
            }

            // 2. the subscription cycle
            long t0 = System.nanoTime();
            seed(ds, tenants);
            System.out.printf(Locale.ROOT, "seeded %,d subscriptions in %.1f s%n", tenants, secs(t0));
            SubscriptionCycle cycle = billing.cycle();
            LocalDate from = LocalDate.of(2026, 5, 1);
            LocalDate to = LocalDate.of(2026, 5, 31);
            for (String what : List.of("dry run", "real run", "rerun")) {
                long start = System.nanoTime();
                CycleResult r = cycle.run(from, to, what.equals("dry run"), ADMIN);
                System.out.printf(
                        Locale.ROOT,
                        "%s over %,d subscriptions: %.2f s (%s)%n",
                        what,
                        tenants + 100,
                        secs(start),
                        r.counters());
            }
        }
        admin("DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
    }

    /** Subscriptions straight into the table (the API audits each one; seeding 100,000 that way is not what is measured). */
    private static void seed(HikariDataSource ds, int tenants) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            String[] plans = {"standard", "professional", "business"};
            try (PreparedStatement s = c.prepareStatement(
                            "INSERT INTO tenancy.tenancy_subscriptions (tenant_id, plan_key,"
                                    + " plan_version, status, cycle_months, anchor_date, anchor_day, started_on, auto_charge,"
                                    + " payment_method, updated_at) VALUES (?, ?, 1, 'active', 1, ?, 1, ?, true, 'CARD', ?)");
                    PreparedStatement g =
                            c.prepareStatement("INSERT INTO tenancy.tenancy_billing_overrides (tenant_id, kind,"
                                    + " payload, valid_from, reason, set_by, set_at) VALUES (?, 'percent_off',"
                                    + " '{\"basisPoints\":1500}', ?, 'bench', 'bench', ?)")) {
                LocalDate anchor = LocalDate.of(2026, 1, 1);
                OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
                for (int i = 0; i < tenants; i++) {
                    String id = String.format(Locale.ROOT, "tenant-%06d", i);
                    s.setString(1, id);
                    s.setString(2, plans[i % 3]);
                    s.setObject(3, anchor);
                    s.setObject(4, anchor);
                    s.setObject(5, now);
                    s.addBatch();
                    if (i % 10 == 0) {
                        g.setString(1, id);
                        g.setObject(2, anchor);
                        g.setObject(3, now);
                        g.addBatch();
                    }
                    if (i % 5_000 == 4_999) {
                        s.executeBatch();
                        g.executeBatch();
                    }
                }
                s.executeBatch();
                g.executeBatch();
            }
            c.commit();
        }
    }

    private static double secs(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(ADMIN_URL, USER, "");
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
