package dev.tenancy.billing;

import static dev.tenancy.billing.BillingFixture.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tenancy.TenantId;
import dev.tenancy.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes race for one hard limit while one node's connections are killed by the server
 * ({@code pg_terminate_backend}) again and again, at whatever step each was in (a lease, a flush,
 * a renewal, a return), and once more just before it closes: the nodes together still accept
 * exactly the limit, the counter says the same, and nothing stays leased.
 */
class PostgresKilledConnectionsTest {
    static final long LIMIT = 1_000;

    BillingFixture f;
    final List<HikariDataSource> pools = new ArrayList<>();

    @BeforeEach
    void setUp() {
        f = new BillingFixture(TestDatabase.Kind.POSTGRESQL);
    }

    @AfterEach
    void tearDown() {
        pools.forEach(HikariDataSource::close);
        f.close();
    }

    private UsageMeter node(String id) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(f.database.jdbcUrl());
        config.setUsername(f.database.user());
        config.setPassword(f.database.password());
        config.setMaximumPoolSize(4);
        config.setPoolName("node-" + id);
        config.addDataSourceProperty("ApplicationName", "meter-" + id);
        HikariDataSource pool = new HikariDataSource(config);
        pools.add(pool);
        return UsageMeter.builder(UsageStore.jdbc(pool))
                .subscriptions(f.subscriptions)
                .clock(f.clock)
                .nodeId(id)
                .leaseChunk(10)
                .flushInterval(Duration.ofMillis(20)) // flushes and renewals run among the kills
                .build();
    }

    /** Kills every server process of node {@code id}'s pool; returns how many. */
    private int kill(String id) throws Exception {
        try (Connection c = f.database.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        + " WHERE application_name = 'meter-" + id + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void killedConnectionsLoseNoAllowance_countNothingTwice_andCloseSettlesEverything() throws Exception {
        f.plans.publish(f.metered(LIMIT), ADMIN, "test plan");
        TenantId acme = f.subscribed("acme", "metered");
        AtomicLong accepted = new AtomicLong();
        int killed = 0;
        UsageMeter a = node("a");
        try (UsageMeter b = node("b")) {
            ExecutorService threads = Executors.newFixedThreadPool(16);
            CountDownLatch start = new CountDownLatch(1);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                UsageMeter meter = t % 2 == 0 ? a : b;
                done.add(threads.submit(() -> {
                    start.await();
                    while (accepted.get() < LIMIT && System.nanoTime() < deadline) {
                        if (meter.tryConsume(acme, Metric.API_CALLS, 1)) {
                            accepted.incrementAndGet();
                        } else {
                            Thread.sleep(1); // refused while the database does not answer, or at the limit
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            while (accepted.get() < LIMIT * 3 / 4 && System.nanoTime() < deadline) {
                killed += kill("a");
                Thread.sleep(15);
            }
            for (Future<?> d : done) {
                d.get(2, TimeUnit.MINUTES);
            }
            threads.shutdown();
            killed += kill("a"); // and close right after a connection loss
            a.close();
        }
        assertThat(killed).as("connections killed").isGreaterThanOrEqualTo(4);
        assertThat(accepted.get()).as("accepted across both nodes").isEqualTo(LIMIT);
        UsageStore.Counter counter = UsageStore.jdbc(f.database.dataSource())
                .counter(new UsageStore.CounterKey(acme, "api_calls", LocalDate.of(2026, 5, 1)));
        assertThat(counter.used()).as("counted").isEqualTo(LIMIT);
        assertThat(counter.leased()).as("left leased").isZero();
        assertThat(counter.writtenOff()).as("written off").isZero();
    }
}
