package dev.tenancy.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on a PostgreSQL channel with one dedicated connection and calls back with each
 * notification's payload. When the connection fails it reconnects (backing off up to 30 s) and
 * calls back once with {@code null}, as anything may have changed meanwhile. Load it only on
 * PostgreSQL (it needs the driver). Internal to Tenancy's modules; not an API.
 */
public final class PostgresListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresListener.class);
    private static final int WAIT_MILLIS = 500;
    private static final int READY_SECONDS = 5;

    private final DataSource dataSource;
    private final String channel;
    private final Consumer<String> onNotification;
    private final Thread thread;
    private final CountDownLatch listening = new CountDownLatch(1);
    /** Set by whichever comes first: the first LISTEN, or the constructor giving up waiting for it. */
    private final AtomicBoolean settled = new AtomicBoolean();

    private volatile boolean running = true;

    /**
     * Starts listening on {@code channel} on a daemon thread named {@code threadName}, and returns
     * once it listens, so that a change committed after this returns is heard; if the database
     * cannot be reached within {@value #READY_SECONDS} s it returns anyway and keeps trying (calling
     * back with {@code null} once it listens).
     */
    public PostgresListener(DataSource dataSource, String channel, String threadName, Consumer<String> onNotification) {
        this.dataSource = dataSource;
        this.channel = channel;
        this.onNotification = onNotification;
        this.thread = Thread.ofPlatform().name(threadName).daemon(true).start(this::run);
        try {
            if (!listening.await(READY_SECONDS, TimeUnit.SECONDS) && settled.compareAndSet(false, true)) {
                LOG.warn(
                        "Not listening on {} yet after {} s; changes made meanwhile are seen at the next poll",
                        channel,
                        READY_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        Duration backoff = Duration.ofMillis(100);
        boolean reconnecting = false;
        while (running) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + channel);
                }
                listening.countDown();
                // after a failure, or later than the constructor waited: changes may have been missed
                boolean missedSome = !settled.compareAndSet(false, true) || reconnecting;
                PGConnection pg = c.unwrap(PGConnection.class);
                if (missedSome) {
                    LOG.info("Listening on {}", channel);
                    onNotification.accept(null);
                }
                backoff = Duration.ofMillis(100);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(WAIT_MILLIS);
                    if (notifications != null) {
                        for (PGNotification n : notifications) {
                            if (!running) {
                                return; // closed: not one callback more
                            }
                            onNotification.accept(n.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                reconnecting = true;
                LOG.warn(
                        "Listening on {} failed ({}); reconnecting in {} ms",
                        channel,
                        e.getMessage(),
                        backoff.toMillis());
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0
                        ? Duration.ofSeconds(30)
                        : backoff.multipliedBy(2);
            }
        }
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
