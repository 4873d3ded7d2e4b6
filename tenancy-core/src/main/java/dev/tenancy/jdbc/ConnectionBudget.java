package dev.tenancy.jdbc;

import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The global budget of physical connections across all tenant-database pools: a connection is
 * opened only with a permit and gives it back when it closes. When the budget is spent, a new
 * connection waits up to the timeout (while idle connections of other pools are closed to make
 * room), then fails with an error naming the budget, the connections open and the waiters.
 */
final class ConnectionBudget {
    private final int size;
    private final Semaphore permits;
    private final Duration timeout;
    private final AtomicInteger waiting = new AtomicInteger();

    ConnectionBudget(int size, Duration timeout) {
        if (size < 1) {
            throw new IllegalArgumentException("The connection budget must be at least 1, was " + size);
        }
        this.size = size;
        this.permits = new Semaphore(size, true);
        this.timeout = timeout;
    }

    /** Takes a permit, calling {@code makeRoom} once if none is free at once. */
    void acquire(Runnable makeRoom) throws SQLTransientConnectionException {
        if (permits.tryAcquire()) {
            return;
        }
        makeRoom.run();
        int waiters = waiting.incrementAndGet();
        try {
            if (permits.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return;
            }
            waiters = Math.max(waiters, waiting.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            waiting.decrementAndGet();
        }
        throw new SQLTransientConnectionException(
                PREFIX + ": budget=" + size + ", open=" + open() + ", waiting=" + waiters + " after "
                        + timeout.toMillis()
                        + " ms. Raise connectionBudget, lower the per-tenant pool size, or shorten idle timeouts.",
                "08004");
    }

    private static final String PREFIX = "Tenant database connection budget spent";

    static boolean isBudgetError(SQLTransientConnectionException e) {
        return e.getMessage() != null && e.getMessage().startsWith(PREFIX);
    }

    void release() {
        permits.release();
    }

    Duration timeout() {
        return timeout;
    }

    int size() {
        return size;
    }

    int open() {
        return size - permits.availablePermits();
    }

    int waiting() {
        return waiting.get();
    }
}
