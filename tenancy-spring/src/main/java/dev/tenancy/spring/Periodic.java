package dev.tenancy.spring;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.context.SmartLifecycle;

/**
 * Work run every interval on one daemon thread of its own, from when the context has started until
 * it stops; the first run at once. The work must not throw (log and go on).
 */
abstract class Periodic implements SmartLifecycle {
    private final String thread;
    private final Duration every;
    private ScheduledExecutorService scheduler;

    /** {@code property} names the interval's setting, {@code off} how to turn the work off. */
    Periodic(String thread, Duration every, String property, String off) {
        if (every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException(
                    property + " must be positive, was " + every + "; to turn it off, set " + off);
        }
        this.thread = thread;
        this.every = every;
    }

    /** One run; never throws, so that the schedule goes on. */
    abstract void runOnce();

    @Override
    public synchronized void start() {
        if (scheduler != null) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, thread);
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::runOnce, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
