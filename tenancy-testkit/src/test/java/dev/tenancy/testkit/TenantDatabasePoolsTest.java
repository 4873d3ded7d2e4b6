package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Database-per-tenant pools are bounded in count and in connections, and never kill a connection in use. */
class TenantDatabasePoolsTest {
    private TestDatabase database;
    private TenantCatalog catalog;
    private TenantDataSource dataSource;

    @BeforeEach
    void setUp() {
        database = TestDatabase.h2();
        catalog = TenantCatalog.inMemory(AuditLog.inMemory());
    }

    @AfterEach
    void tearDown() {
        if (dataSource != null) {
            dataSource.close();
        }
        database.close();
    }

    private TenantDataSource dataSource(int maxPools, int budget) {
        return TenantDataSource.builder()
                .allowInsecureRole() // connects as the test server's superuser
                .catalog(catalog)
                .server(DatabaseServer.of("default", database.jdbcUrl(), database.user(), database.password())
                        .withDatabaseUrlTemplate(database.databaseUrlTemplate())
                        .withTenantPoolSize(2))
                .maxTenantPools(maxPools)
                .connectionBudget(budget)
                .budgetTimeout(Duration.ofMillis(300))
                .build();
    }

    private TenantId tenant(int i) {
        TenantId id = TenantId.of("db-" + i);
        if (catalog.find(id).isEmpty()) {
            catalog.register(
                    TenantRegistration.builder(id, "T" + i)
                            .isolation(IsolationModel.DATABASE)
                            .active()
                            .build(),
                    Actor.system("test"));
            database.createDatabase(id.databaseName());
        }
        return id;
    }

    private static int selectOne(Connection c) throws Exception {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void spentBudget_waitsThenFailsNamingBudgetOpenAndWaiting() throws Exception {
        dataSource = dataSource(10, 1);
        TenantId one = tenant(1);
        TenantId two = tenant(2);
        try (Connection held = TenantContext.where(one).call(dataSource::getConnection)) {
            assertThatThrownBy(() -> TenantContext.where(two).call(dataSource::getConnection))
                    .isInstanceOf(SQLTransientConnectionException.class)
                    .hasMessageContaining("Tenant 'db-2'")
                    .hasMessageContaining("budget=1, open=1, waiting=");
            assertThat(selectOne(held)).isEqualTo(1);
        }
        // Once the first tenant is done, the budget frees up (its idle connection is closed to make room).
        try (Connection c = TenantContext.where(two).call(dataSource::getConnection)) {
            assertThat(selectOne(c)).isEqualTo(1);
        }
    }

    @Test
    void anAbortedConnection_isClosed_andThePoolStaysUsable_onH2() throws Exception {
        dataSource = dataSource(10, 1);
        TenantId one = tenant(1);
        TenantId two = tenant(2);
        Connection aborted = TenantContext.where(one).call(dataSource::getConnection);
        aborted.abort(Runnable::run); // H2 ignores abort: its connection goes back to the pool, open

        assertThat(aborted.isClosed()).isTrue();
        aborted.close(); // closing an aborted connection does nothing
        try (Connection again = TenantContext.where(one).call(dataSource::getConnection)) {
            assertThat(selectOne(again)).isEqualTo(1);
        }
        try (Connection other = TenantContext.where(two).call(dataSource::getConnection)) {
            assertThat(selectOne(other)).isEqualTo(1);
        }
    }

    @Test
    void anAbortedConnection_holdsItsBudgetPermitUntilTheDriverHasClosedIt_onPostgres() throws Exception {
        database.close();
        database = TestDatabase.postgres();
        dataSource = dataSource(10, 1);
        TenantId one = tenant(1);
        TenantId two = tenant(2);
        List<Runnable> driverWork = new ArrayList<>(); // PostgreSQL's abort task, run when the test says
        Connection aborted = TenantContext.where(one).call(dataSource::getConnection);
        aborted.abort(driverWork::add);

        assertThat(aborted.isClosed()).isTrue();
        assertThatThrownBy(() -> TenantContext.where(two).call(dataSource::getConnection))
                .as("the aborted connection is still open on the server, so it still holds the budget")
                .isInstanceOf(SQLTransientConnectionException.class)
                .hasMessageContaining("budget=1, open=1");

        driverWork.forEach(Runnable::run);
        aborted.close(); // does nothing
        try (Connection other = TenantContext.where(two).call(dataSource::getConnection)) {
            assertThat(selectOne(other)).isEqualTo(1);
        }
        try (Connection again = TenantContext.where(one).call(dataSource::getConnection)) {
            assertThat(selectOne(again))
                    .as("the pool evicted the aborted connection")
                    .isEqualTo(1);
        }
    }

    @Test
    void poolCountIsBounded_andAnInUseConnectionOutlivesItsRetiredPool() throws Exception {
        dataSource = dataSource(2, 50);
        Connection held = TenantContext.where(tenant(1)).call(dataSource::getConnection);
        for (int i = 2; i <= 6; i++) {
            try (Connection c = TenantContext.where(tenant(i)).call(dataSource::getConnection)) {
                assertThat(selectOne(c)).isEqualTo(1);
            }
            assertThat(dataSource.tenantDatabasePools()).isLessThanOrEqualTo(2);
        }
        assertThat(selectOne(held))
                .as("the retired pool's lent connection still works")
                .isEqualTo(1);
        held.close();
    }

    @Test
    void manyTenantsRoundRobin_neverExceedTheBudget() throws Exception {
        int budget = 8;
        dataSource = dataSource(6, budget);
        int maxOpen = 0;
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 150; i++) {
                try (Connection c = TenantContext.where(tenant(i)).call(dataSource::getConnection)) {
                    assertThat(selectOne(c)).isEqualTo(1);
                    maxOpen = Math.max(maxOpen, dataSource.tenantDatabaseConnections());
                }
            }
        }
        assertThat(maxOpen).isLessThanOrEqualTo(budget);
        assertThat(dataSource.tenantDatabasePools()).isLessThanOrEqualTo(6);
    }

    @Test
    void poolCountIsBoundedAtEveryInstant_underABurstOfFirstBorrows() throws Exception {
        int maxPools = 4;
        dataSource = dataSource(maxPools, 50);
        List<TenantId> tenants = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            tenants.add(tenant(i));
        }
        AtomicInteger maxSeen = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        Thread sampler = Thread.ofPlatform().start(() -> {
            while (!done.get()) {
                maxSeen.accumulateAndGet(dataSource.tenantDatabasePools(), Math::max);
            }
        });
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(16)) {
            for (int t = 0; t < 16; t++) {
                int offset = t;
                results.add(threads.submit(() -> {
                    start.await();
                    int ok = 0;
                    for (int i = 0; i < tenants.size(); i++) {
                        TenantId id = tenants.get((i + offset * 3) % tenants.size());
                        try (Connection c = TenantContext.where(id).call(dataSource::getConnection)) {
                            ok += selectOne(c);
                        }
                    }
                    return ok;
                }));
            }
            start.countDown();
            for (Future<Integer> r : results) {
                assertThat(r.get()).isEqualTo(tenants.size());
            }
        } finally {
            done.set(true);
            sampler.join();
        }
        assertThat(maxSeen.get())
                .as("16 threads making pools for 40 tenants at once never hold more than maxTenantPools")
                .isLessThanOrEqualTo(maxPools);
    }
}
