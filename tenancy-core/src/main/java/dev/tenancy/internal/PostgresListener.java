package dev.tenancy.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
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

    private final DataSource dataSource;
    private final String channel;
    private final Consumer<String> onNotification;
    private final Thread thread;
    private volatile boolean running = true;

    /** Starts listening on {@code channel} on a daemon thread named {@code threadName}. */
    public PostgresListener(DataSource dataSource, String channel, String threadName, Consumer<String> onNotification) {
        this.dataSource = dataSource;
        this.channel = channel;
        this.onNotification = onNotification;
        this.thread = Thread.ofPlatform().name(threadName).daemon(true).start(this::run);
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
                    onNotification.accept(null);
                }
                backoff = Duration.ofMillis(100);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(WAIT_MILLIS);
                    if (notifications != null) {
                        for (PGNotification n : notifications) {
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
