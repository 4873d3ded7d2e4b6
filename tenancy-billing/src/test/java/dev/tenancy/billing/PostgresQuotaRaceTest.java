package dev.tenancy.billing;

import static dev.tenancy.billing.BillingFixture.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tenancy.TenantId;
import dev.tenancy.testkit.TestDatabase;
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
 * The exactness race: two nodes (two meters, each with a connection pool of its own) and eight
 * threads on each consume one unit at a time against one hard limit until they are refused; they
 * accept exactly the limit, and the counter says the same.
 */
class PostgresQuotaRaceTest {
    static final long LIMIT = 5_000;

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

    private UsageMeter node(String id, Subscriptions subscriptions) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(f.database.jdbcUrl());
        config.setUsername(f.database.user());
        config.setPassword(f.database.password());
        config.setMaximumPoolSize(8);
        config.setPoolName("node-" + id);
        HikariDataSource pool = new HikariDataSource(config);
        pools.add(pool);
        return UsageMeter.builder(UsageStore.jdbc(pool))
                .subscriptions(subscriptions)
                .nodeId(id)
                .leaseChunk(50)
                .build();
    }

    @Test
    void two_nodes_of_eight_threads_accept_exactly_the_limit() throws Exception {
        f.plans.publish(f.metered(LIMIT), ADMIN, "race plan");
        TenantId acme = f.subscribed("acme", "metered");
        for (int round = 0; round < 3; round++) {
            TenantId tenant = round == 0 ? acme : f.subscribed("acme-" + round, "metered");
            AtomicLong accepted = new AtomicLong();
            try (UsageMeter a = node("a" + round, f.subscriptions);
                    UsageMeter b = node("b" + round, f.subscriptions)) {
                ExecutorService threads = Executors.newFixedThreadPool(16);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 16; t++) {
                    UsageMeter meter = t % 2 == 0 ? a : b;
                    done.add(threads.submit(() -> {
                        start.await();
                        while (meter.tryConsume(tenant, Metric.API_CALLS, 1)) {
                            accepted.incrementAndGet();
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> d : done) {
                    d.get(2, TimeUnit.MINUTES);
                }
                threads.shutdown();
                assertThat(accepted.get()).as("accepted in round " + round).isEqualTo(LIMIT);
            }
            UsagePeriod counted =
                    f.meter().build().history(tenant, Metric.API_CALLS).getFirst();
            assertThat(counted.sum()).as("counted in round " + round).isEqualTo(LIMIT);
            assertThat(counted.count()).isEqualTo(LIMIT);
        }
    }
}
