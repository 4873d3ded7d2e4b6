package dev.tenancy.flags;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on a PostgreSQL channel with one dedicated connection and calls back on every
 * notification. When the connection fails it reconnects (backing off up to 30 s) and calls back
 * once, as changes may have been missed meanwhile. Loaded only on PostgreSQL.
 */
final class PostgresFlagListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresFlagListener.class);
    private static final int WAIT_MILLIS = 500;

    private final DataSource dataSource;
    private final String channel;
    private final Runnable onNotification;
    private final Thread thread;
    private volatile boolean running = true;

    PostgresFlagListener(DataSource dataSource, String channel, Runnable onNotification) {
        this.dataSource = dataSource;
        this.channel = channel;
        this.onNotification = onNotification;
        this.thread =
                Thread.ofPlatform().name("tenancy-flags-listen").daemon(true).start(this::run);
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
                PGConnection pg = c.unwrap(PGConnection.class);
                if (reconnecting) {
                    LOG.info("Listening on {} again", channel);
                    onNotification.run();
                }
                backoff = Duration.ofMillis(100);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(WAIT_MILLIS);
                    if (notifications != null && notifications.length > 0) {
                        onNotification.run();
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
