package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.TenantDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Database-per-tenant at fleet scale: many more tenant databases than the connection budget,
 * served round-robin by several threads. Every borrow must reach its own tenant's database, none
 * may fail, and the connections open at once never exceed the budget (sampled throughout).
 *
 * <p>Sized by {@code -Dtenancy.scale.tenants}, {@code -Dtenancy.scale.budget} and {@code
 * -Dtenancy.scale.rounds}; defaults come from the subclass. The run prints one line with what it did.
 */
public abstract class TenantDatabaseScaleContract {

    protected abstract TestDatabase.Kind kind();

    /** Tenants in a default run. */
    protected abstract int defaultTenants();

    /** The connection budget in a default run. */
    protected abstract int defaultBudget();

    private static final int THREADS = 16;

    private TestDatabase database;
    private TenantDataSource dataSource;

    @AfterEach
    void tearDown() {
        if (dataSource != null) {
            dataSource.close();
        }
        if (database != null) {
            database.close();
        }
    }

    /** Rounds over all tenants; enough pool churn to meet HikariCP's lost wake-ups (see TenantDatabasePools). */
    protected int defaultRounds() {
        return 2;
    }

    @Test
    void roundRobinOverManyTenantDatabases_staysWithinTheBudget() throws Exception {
        int tenants = Integer.getInteger("tenancy.scale.tenants", defaultTenants());
        int budget = Integer.getInteger("tenancy.scale.budget", defaultBudget());
        int rounds = Integer.getInteger("tenancy.scale.rounds", defaultRounds());
        database = TestDatabase.of(kind());
        TenantCatalog catalog =
                TenantCatalog.cached(TenantCatalog.inMemory(AuditLog.inMemory()), Duration.ofMinutes(5));
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        List<TenantId> ids = new ArrayList<>(tenants);
        long setUpStart = System.nanoTime();
        for (int i = 0; i < tenants; i++) {
            TenantId id = TenantId.of("scale-" + i + "-" + suffix);
            catalog.register(
                    TenantRegistration.builder(id, "T" + i)
                            .isolation(IsolationModel.DATABASE)
                            .active()
                            .build(),
                    Actor.system("test"));
            if (kind() == TestDatabase.Kind.POSTGRESQL) {
                database.createDatabase(id.databaseName()); // H2 creates its databases on first use
            }
            ids.add(id);
        }
        long setUpMillis = (System.nanoTime() - setUpStart) / 1_000_000;
        // On H2 a tenant database lives while a connection is open, so 10,000 cost no memory at rest.
        String template = kind() == TestDatabase.Kind.H2
                ? "jdbc:h2:mem:" + database.name() + "_{database}"
                : database.databaseUrlTemplate();
        dataSource = TenantDataSource.builder()
                .allowInsecureRole() // connects as the test server's superuser
                .catalog(catalog)
                .server(DatabaseServer.of("default", database.jdbcUrl(), database.user(), database.password())
                        .withDatabaseUrlTemplate(template)
                        .withTenantPoolSize(2))
                .maxTenantPools(Math.max(1, budget / 2))
                .connectionBudget(budget)
                .budgetTimeout(Duration.ofSeconds(30))
                .build();

        AtomicInteger next = new AtomicInteger();
        long total = (long) tenants * rounds;
        AtomicLong done = new AtomicLong();
        AtomicInteger maxOpen = new AtomicInteger();
        AtomicInteger maxPools = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (running.get()) {
                maxOpen.accumulateAndGet(dataSource.tenantDatabaseConnections(), Math::max);
                maxPools.accumulateAndGet(dataSource.tenantDatabasePools(), Math::max);
                Thread.onSpinWait();
            }
        });
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                workers.add(pool.submit(() -> {
                    for (long n = next.getAndIncrement(); n < total; n = next.getAndIncrement()) {
                        TenantId id = ids.get((int) (n % tenants));
                        String reached = TenantContext.where(id).call(this::currentDatabase);
                        assertThat(reached.toLowerCase(Locale.ROOT))
                                .as("the database a borrow for %s reached", id)
                                .endsWith(id.databaseName());
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        } finally {
            running.set(false);
            sampler.join();
        }
        long millis = Math.max(1, (System.nanoTime() - start) / 1_000_000);
        System.out.printf(
                Locale.ROOT,
                "[tenancy] %s database-per-tenant scale: %,d tenants (created in %,d ms), %,d borrows in %,d rounds"
                        + " by %d threads in %,d ms (%,.0f borrows/s); budget %d, max open %d, max pools %d, errors 0%n",
                kind(),
                tenants,
                setUpMillis,
                done.get(),
                rounds,
                THREADS,
                millis,
                done.get() * 1000.0 / millis,
                budget,
                maxOpen.get(),
                maxPools.get());
        assertThat(done.get()).isEqualTo(total);
        assertThat(maxOpen.get()).as("connections open at once").isLessThanOrEqualTo(budget);
    }

    private String currentDatabase() throws Exception {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        kind() == TestDatabase.Kind.H2 ? "SELECT DATABASE()" : "SELECT current_database()")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
