package dev.tenancy.billing;

import static dev.tenancy.billing.BillingFixture.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tenancy.TenantId;
import dev.tenancy.testkit.TestDatabase;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A meter whose connection fails at {@code COMMIT} of each kind of change it makes (a lease, a
 * flush, a return, a renewal), once with the change committed and its answer lost, once with it
 * rolled back: the meter sends it again with the same id until it knows, so nothing is counted
 * twice, nothing stays leased, and no allowance is lost. Run on H2 and PostgreSQL.
 */
abstract class LostAnswersContract {
    protected abstract TestDatabase.Kind kind();

    /** Where the connection fails: the statement a change's transaction runs, and whether it commits first. */
    enum Fault {
        LEASE_COMMITTED("SET leased = leased + ?", true),
        LEASE_ROLLED_BACK("SET leased = leased + ?", false),
        FLUSH_COMMITTED("SET used = used + ?", true),
        FLUSH_ROLLED_BACK("SET used = used + ?", false),
        RETURN_COMMITTED("SET leased = leased - ?, written_off", true),
        RETURN_ROLLED_BACK("SET leased = leased - ?, written_off", false),
        RENEW_COMMITTED("SET expires_at = ? WHERE node_id = ?", true),
        RENEW_ROLLED_BACK("SET expires_at = ? WHERE node_id = ?", false);

        final String statement;
        final boolean committed;

        Fault(String statement, boolean committed) {
            this.statement = statement;
            this.committed = committed;
        }
    }

    BillingFixture f;
    /** The fault the next matching transaction meets, once; null: none. */
    final AtomicReference<Fault> armed = new AtomicReference<>();

    final List<Fault> met = new ArrayList<>();
    /** Whether the database is unreachable: every new connection fails. */
    volatile boolean down;

    @BeforeEach
    void setUp() {
        f = new BillingFixture(kind());
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    /** {@code real}, whose connections fail at COMMIT of a transaction that ran the armed fault's statement. */
    private DataSource failingAtCommit(DataSource real) {
        return (DataSource) Proxy.newProxyInstance(
                DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, m, args) -> {
                    if (down && m.getName().equals("getConnection")) {
                        throw new SQLTransientConnectionException("injected: the database does not answer", "08001");
                    }
                    Object result = invoke(m, real, args);
                    return m.getName().equals("getConnection") ? connection((Connection) result) : result;
                });
    }

    private Connection connection(Connection real) {
        List<String> statements = new ArrayList<>();
        return (Connection) Proxy.newProxyInstance(
                Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, m, args) -> {
                    if (m.getName().equals("prepareStatement") && args != null && args[0] instanceof String sql) {
                        statements.add(sql);
                    }
                    if (m.getName().equals("commit")) {
                        Fault fault = armed.get();
                        boolean hit = fault != null
                                && statements.stream().anyMatch(sql -> sql.contains(fault.statement))
                                && armed.compareAndSet(fault, null);
                        statements.clear();
                        if (hit) {
                            synchronized (met) {
                                met.add(fault);
                            }
                            if (fault.committed) {
                                real.commit();
                            } else {
                                real.rollback();
                            }
                            throw new SQLTransientConnectionException(
                                    "injected: the connection was lost at COMMIT (" + fault + ")", "08006");
                        }
                    }
                    if (m.getName().equals("rollback")) {
                        statements.clear();
                    }
                    return invoke(m, real, args);
                });
    }

    private static Object invoke(java.lang.reflect.Method m, Object target, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private UsageMeter meter(String node, DataSource usage) {
        return builder(node, usage).build();
    }

    private UsageMeter.Builder builder(String node, DataSource usage) {
        return UsageMeter.builder(UsageStore.jdbc(usage))
                .subscriptions(f.subscriptions)
                .clock(f.clock)
                .nodeId(node)
                .leaseChunk(10)
                .flushInterval(java.time.Duration.ofHours(1)); // flushed by the test, not in the background
    }

    @org.junit.jupiter.api.Test
    void aMeterClosedWhileTheDatabaseIsDown_leavesAFileThatTheNextStartSettles(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path directory) {
        f.plans.publish(f.metered(100), ADMIN, "test plan");
        TenantId acme = f.subscribed("acme", "metered");
        DataSource usage = failingAtCommit(f.database.dataSource());
        java.nio.file.Path file = directory.resolve("node-one.unsettled");
        UsageStore.CounterKey key = new UsageStore.CounterKey(acme, "api_calls", java.time.LocalDate.of(2026, 5, 1));
        UsageStore store = UsageStore.jdbc(f.database.dataSource());
        int accepted = 0;
        UsageMeter one = builder("one", usage).unsettledFile(file).build();
        for (int i = 0; i < 25; i++) { // three leases of 10
            accepted += one.tryConsume(acme, Metric.API_CALLS, 1) ? 1 : 0;
        }
        down = true;
        one.close(); // cannot flush 25 or return 5: they go to the file
        assertThat(file).exists();
        assertThat(store.counter(key).leased()).isEqualTo(30);

        down = false;
        try (UsageMeter again = builder("one", usage).unsettledFile(file).build()) {
            assertThat(file).as("settled as it started").doesNotExist();
        }
        UsageStore.Counter counter = store.counter(key);
        assertThat(counter.used()).isEqualTo(accepted).isEqualTo(25);
        assertThat(counter.leased()).isZero();
        assertThat(counter.writtenOff()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void aChangeWhoseAnswerIsLost_isSentAgainUntilKnown_andCountedOnce(Fault fault) throws SQLException {
        f.plans.publish(f.metered(100), ADMIN, "test plan");
        TenantId acme = f.subscribed("acme", "metered");
        DataSource usage = failingAtCommit(f.database.dataSource());
        int accepted = 0;
        try (UsageMeter one = meter("one", usage)) {
            armed.set(fault);
            for (int i = 0; i < 25; i++) { // three leases of 10
                accepted += one.tryConsume(acme, Metric.API_CALLS, 1) ? 1 : 0;
            }
            one.flush(); // flushes 25 (and renews); a failed flush is sent again at the next
            one.flush();
            for (int i = 0; i < 22; i++) { // leaves part of a lease to return
                accepted += one.tryConsume(acme, Metric.API_CALLS, 1) ? 1 : 0;
            }
        } // close: flushes and returns what is left, sending again what it did not hear back
        assertThat(met).as("the fault was met").containsExactly(fault);
        UsageStore.Counter counter = UsageStore.jdbc(f.database.dataSource())
                .counter(new UsageStore.CounterKey(acme, "api_calls", java.time.LocalDate.of(2026, 5, 1)));
        assertThat(counter.used()).as("counted once").isEqualTo(accepted);
        assertThat(counter.leased()).as("nothing stays leased").isZero();
        assertThat(counter.writtenOff()).isZero();

        int more = 0;
        try (UsageMeter two = meter("two", f.database.dataSource())) {
            while (two.tryConsume(acme, Metric.API_CALLS, 1)) {
                more++;
            }
        }
        assertThat(accepted + more).as("no allowance lost").isEqualTo(100);
    }
}
