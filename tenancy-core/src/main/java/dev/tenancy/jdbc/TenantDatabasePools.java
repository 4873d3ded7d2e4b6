package dev.tenancy.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tenancy.TenantId;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * One HikariCP pool per tenant database, created on demand and bounded: at most {@code maxPools}
 * pools (the least recently used one is retired when a new one is needed), at most {@code budget}
 * physical connections across all of them, and pools idle for {@code idleTimeout} retired. A
 * retired pool is closed only once every connection it lent is back: an in-use connection is never
 * killed.
 */
final class TenantDatabasePools implements AutoCloseable {

    /**
     * HikariCP's adder thread starts waiting for the budget a little after the borrower does; the
     * margin lets the budget's own timeout (which names the budget, open and waiting counts) fire
     * first and reach the borrower as the cause of HikariCP's timeout.
     */
    private static final Duration BORROW_MARGIN = Duration.ofSeconds(2);

    /** One round of waiting in HikariCP; see {@link #connectionOf}. */
    private static final Duration BORROW_ROUND = Duration.ofSeconds(1);

    private final int maxPools;
    private final Duration idleTimeout;
    private final ConnectionBudget budget;
    private final ScheduledExecutorService housekeeping;
    private final ConcurrentHashMap<TenantId, TenantPool> pools = new ConcurrentHashMap<>();
    private final AtomicLong clock = new AtomicLong();
    /** Guards adding a pool (a ReentrantLock, not synchronized: virtual threads borrow too). */
    private final ReentrantLock creating = new ReentrantLock();
    // Closing a HikariCP pool blocks (about 30 ms on PostgreSQL, longer while its connection-adding
    // thread finishes); closes run here, side by side, never on the housekeeping thread the pools
    // share, so a slow close can't hold up the closes that would free budget.
    private final ExecutorService closer = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tenancy-pool-closer");
        t.setDaemon(true);
        return t;
    });

    TenantDatabasePools(
            int maxPools, ConnectionBudget budget, Duration idleTimeout, ScheduledExecutorService housekeeping) {
        if (maxPools < 1) {
            throw new IllegalArgumentException("maxTenantPools must be at least 1, was " + maxPools);
        }
        this.maxPools = maxPools;
        this.budget = budget;
        this.idleTimeout = idleTimeout;
        this.housekeeping = housekeeping;
    }

    /** A pool's state: the pool, how many of its connections are lent, when it was last used. */
    final class TenantPool {
        final TenantId tenant;
        final HikariDataSource dataSource;
        final AtomicInteger lent = new AtomicInteger();
        volatile long lastUsed;
        volatile long lastUsedNanos;
        volatile boolean retiring;
        /** {@link #returned()}, built once: a borrow allocates no callback. */
        final Runnable onReturn = this::returned;

        TenantPool(TenantId tenant, HikariDataSource dataSource) {
            this.tenant = tenant;
            this.dataSource = dataSource;
        }

        /** Retired with nobody borrowing or waiting: a connection opened for it now would be wasted. */
        boolean abandoned() {
            return retiring && lent.get() == 0;
        }

        void returned() {
            if (lent.decrementAndGet() == 0 && retiring) {
                closeIfIdle(this);
            }
        }
    }

    /** Borrows a connection of {@code tenant}'s database on {@code server}; the pool counts it lent. */
    Lease borrow(DatabaseServer server, TenantId tenant) throws SQLException {
        while (true) {
            TenantPool pool = pools.get(tenant);
            if (pool == null) {
                pool = createWithinBound(server, tenant);
            }
            pool.lent.incrementAndGet();
            if (pool.retiring) {
                // Lost a race with retirement: give it back and take (or make) a fresh pool.
                pool.returned();
                pools.remove(tenant, pool);
                continue;
            }
            pool.lastUsed = clock.incrementAndGet();
            pool.lastUsedNanos = System.nanoTime();
            try {
                return new Lease(pool, connectionOf(pool));
            } catch (SQLException | RuntimeException e) {
                pool.returned();
                throw e;
            }
        }
    }

    /**
     * Asks HikariCP in short rounds until the budget's timeout (plus a margin) has passed. HikariCP
     * asks its connection adder for a new connection only when a borrower starts waiting; if the
     * connection it then adds is closed before the waiter takes it (evicted, or dead), the waiter
     * would otherwise sit out the whole timeout of a pool with no connection and no failure. A new
     * round asks again. A spent budget is reported at once (its own timeout has run); any other
     * failure (the server refusing, say) is retried by HikariCP until the deadline, as one long
     * HikariCP wait would.
     */
    private Connection connectionOf(TenantPool pool) throws SQLException {
        long deadline = System.nanoTime() + budget.timeout().toNanos() + BORROW_MARGIN.toNanos();
        while (true) {
            try {
                return pool.dataSource.getConnection();
            } catch (SQLTransientConnectionException e) {
                if (ConnectionBudget.spentIn(e) != null
                        || System.nanoTime() - deadline > 0
                        || pool.dataSource.isClosed()) {
                    throw e;
                }
            }
        }
    }

    /**
     * Makes {@code tenant}'s pool, retiring the least recently used ones first so the map never
     * holds more than {@code maxPools}. Pools are added only here, one at a time; everything else
     * only removes them, so the bound holds at every instant, not only after a burst settles.
     * Making a pool opens no connection, so the lock is held for microseconds.
     */
    private TenantPool createWithinBound(DatabaseServer server, TenantId tenant) {
        creating.lock();
        try {
            TenantPool existing = pools.get(tenant);
            if (existing != null) {
                return existing;
            }
            int excess = pools.size() + 1 - maxPools;
            if (excess > 0) {
                retireLeastRecentlyUsed(excess);
            }
            TenantPool made = create(server, tenant);
            pools.put(tenant, made);
            return made;
        } finally {
            creating.unlock();
        }
    }

    /** A connection with the pool it came from. */
    record Lease(TenantPool pool, Connection connection) {}

    private TenantPool create(DatabaseServer server, TenantId tenant) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("tenancy-db-" + tenant);
        BudgetedDriverDataSource driver =
                new BudgetedDriverDataSource(server.databaseUrl(tenant.databaseName()), server);
        config.setDataSource(driver);
        config.setMaximumPoolSize(server.tenantPoolSize());
        config.setMinimumIdle(0);
        config.setIdleTimeout(Math.max(10_000, idleTimeout.toMillis()));
        config.setAutoCommit(true);
        // No probe connection at construction: the first borrow opens the first connection.
        config.setInitializationFailTimeout(-1);
        // A borrower waits for the budget in rounds (connectionOf), not for HikariCP's default 30 s.
        config.setConnectionTimeout(Math.max(
                250, Math.min(BORROW_ROUND.toMillis(), budget.timeout().toMillis() + BORROW_MARGIN.toMillis())));
        config.setScheduledExecutor(housekeeping);
        TenantPool pool = new TenantPool(tenant, new HikariDataSource(config));
        driver.owner = pool;
        return pool;
    }

    private void retireLeastRecentlyUsed(int count) {
        // Idle pools first; a pool with a borrower (or one waiting for its first connection) only
        // when there are not enough idle ones. Either way its lent connections finish normally.
        List<TenantPool> idle = leastRecentlyUsed(p -> !p.retiring && p.lent.get() == 0, count);
        idle.forEach(this::retire);
        if (idle.size() < count) {
            leastRecentlyUsed(p -> !p.retiring, count - idle.size()).forEach(this::retire);
        }
    }

    /**
     * Up to {@code count} pools matching {@code filter}, least recently used first. Sorts a snapshot
     * of the use marks: they change while other threads borrow, and a sort over moving keys breaks
     * the comparator's contract.
     */
    private List<TenantPool> leastRecentlyUsed(Predicate<TenantPool> filter, int count) {
        record Mark(TenantPool pool, long lastUsed) {}
        return pools.values().stream()
                .filter(filter)
                .map(p -> new Mark(p, p.lastUsed))
                .sorted(Comparator.comparingLong(Mark::lastUsed))
                .limit(count)
                .map(Mark::pool)
                .toList();
    }

    private void retire(TenantPool pool) {
        pool.retiring = true;
        pools.remove(pool.tenant, pool);
        closeIfIdle(pool);
    }

    private void closeIfIdle(TenantPool pool) {
        if (pool.lent.get() == 0 && !pool.dataSource.isClosed()) {
            closer.execute(pool.dataSource::close);
        }
    }

    /** Retires pools unused for longer than the idle timeout. */
    void retireIdle() {
        long cutoff = System.nanoTime() - idleTimeout.toNanos();
        pools.values().stream()
                .filter(p -> p.lent.get() == 0 && p.lastUsedNanos < cutoff)
                .forEach(this::retire);
    }

    /**
     * Closes idle connections of pools nobody is using, to free budget for a waiting borrower. A pool
     * with a borrower keeps its idle connections: one of them may be on its way to a waiter, and
     * evicting it there would leave the waiter with nothing until its round ends.
     */
    private void makeRoom() {
        leastRecentlyUsed(p -> p.lent.get() == 0, Math.max(1, pools.size() / 4)).forEach(this::retire);
        pools.values().forEach(p -> {
            var mx = p.dataSource.getHikariPoolMXBean();
            if (p.lent.get() == 0 && mx != null && mx.getIdleConnections() > 0) {
                mx.softEvictConnections();
            }
        });
    }

    int poolCount() {
        return pools.size();
    }

    int openConnections() {
        return budget.open();
    }

    @Override
    public void close() {
        pools.values().forEach(p -> p.dataSource.close());
        pools.clear();
        closer.shutdown();
    }

    /**
     * Opens physical connections through the driver, each holding a budget permit until it closes.
     * HikariCP calls it; a budget timeout surfaces as the cause of HikariCP's timeout.
     */
    private final class BudgetedDriverDataSource extends DataSourceDefaults {
        private final String url;
        private final DatabaseServer server;
        private volatile TenantPool owner;

        BudgetedDriverDataSource(String url, DatabaseServer server) {
            this.url = url;
            this.server = server;
        }

        @Override
        public Connection getConnection() throws SQLException {
            // An abandoned pool stops waiting for budget at once: its close waits for this thread.
            BooleanSupplier abandoned = () -> owner != null && owner.abandoned();
            budget.acquire(TenantDatabasePools.this::makeRoom, abandoned);
            if (abandoned.getAsBoolean()) {
                budget.release();
                throw new SQLTransientConnectionException(
                        "The tenant database pool was retired before its connection was opened", "08004");
            }
            Connection physical;
            try {
                physical = DriverManager.getConnection(url, server.username(), server.password());
            } catch (SQLException | RuntimeException e) {
                budget.release();
                throw e;
            }
            return new BudgetedConnection(physical);
        }
    }

    /** A physical connection that gives its budget permit back once the driver has closed it. */
    private final class BudgetedConnection extends ConnectionDelegate {
        private final AtomicBoolean released = new AtomicBoolean();

        BudgetedConnection(Connection physical) {
            super(physical);
        }

        @Override
        void open() {}

        @Override
        <E extends Exception> E failed(E e) {
            return e;
        }

        @Override
        public void close() throws SQLException {
            try {
                delegate.close();
            } finally {
                release();
            }
        }

        /**
         * Drivers abort in the executor's task (PostgreSQL) or not at all (H2): the permit goes back
         * when that task has run, or at once only if the connection is already closed; otherwise
         * with {@link #close()}.
         */
        @Override
        public void abort(Executor executor) throws SQLException {
            Aborts.abortThen(delegate, executor, afterDriverTask -> {
                if (afterDriverTask || closedQuietly()) {
                    release();
                }
            });
        }

        private boolean closedQuietly() {
            try {
                return delegate.isClosed();
            } catch (SQLException e) {
                return false; // unknown: keep the permit until close()
            }
        }

        /** After the driver closed it: the server never holds more than the budget. */
        private void release() {
            if (released.compareAndSet(false, true)) {
                budget.release();
            }
        }
    }
}
