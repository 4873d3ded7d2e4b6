package dev.tenancy.jdbc;

import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The global budget of physical connections across all tenant-database pools: a connection is
 * opened only with a permit and gives it back when it closes. When the budget is spent, a new
 * connection waits up to the timeout (while idle connections of other pools are closed to make
 * room), then fails with an error naming the budget, the connections open and the waiters. While
 * anyone waits, newcomers wait with them (the semaphore is fair) instead of taking a freed permit
 * first.
 */
final class ConnectionBudget {
    private final int size;
    private final Semaphore permits;
    private final Duration timeout;
    private final AtomicInteger waiting = new AtomicInteger();
    private static final long SLICE_MILLIS = 50;

    ConnectionBudget(int size, Duration timeout) {
        if (size < 1) {
            throw new IllegalArgumentException("The connection budget must be at least 1, was " + size);
        }
        this.size = size;
        this.permits = new Semaphore(size, true);
        this.timeout = timeout;
    }

    /**
     * Takes a permit, calling {@code makeRoom} if none is free at once (and again every {@value
     * #SLICE_MILLIS} ms of waiting), and giving up early once {@code abandoned} says the permit is no
     * longer wanted.
     */
    void acquire(Runnable makeRoom, BooleanSupplier abandoned) throws SQLTransientConnectionException {
        // No barging past those already waiting: a newcomer that took a freed permit ahead of them
        // could keep an early waiter starving until its timeout under steady churn.
        if (waiting.get() == 0 && permits.tryAcquire()) {
            return;
        }
        int waiters = waiting.incrementAndGet();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!abandoned.getAsBoolean()) {
                makeRoom.run();
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                if (permits.tryAcquire(
                        Math.min(left, TimeUnit.MILLISECONDS.toNanos(SLICE_MILLIS)), TimeUnit.NANOSECONDS)) {
                    return;
                }
                waiters = Math.max(waiters, waiting.get());
            }
            if (abandoned.getAsBoolean()) {
                throw new SQLTransientConnectionException(
                        "The tenant database pool was retired while waiting for the connection budget", "08004");
            }
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

    /** The spent-budget error among {@code e}'s causes (HikariCP wraps it), or {@code null}. */
    static SQLTransientConnectionException spentIn(Throwable e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException budget
                    && budget.getMessage() != null
                    && budget.getMessage().startsWith(PREFIX)) {
                return budget;
            }
        }
        return null;
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
