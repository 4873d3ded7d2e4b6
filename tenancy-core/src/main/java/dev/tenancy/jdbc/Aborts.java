package dev.tenancy.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** Aborting a connection and acting once the driver has done it, whenever that is. */
final class Aborts {
    private Aborts() {}

    /**
     * Aborts {@code connection} through {@code executor}, then runs {@code then}: with {@code true}
     * after the driver's abort task when the driver hands one to the executor (PostgreSQL), else
     * with {@code false} once {@code abort} returns (the driver aborted at once, ignores abort as H2
     * does, or failed).
     */
    static void abortThen(Connection connection, Executor executor, Consumer<Boolean> then) throws SQLException {
        AtomicBoolean handedOver = new AtomicBoolean();
        try {
            connection.abort(task -> {
                executor.execute(() -> {
                    try {
                        task.run();
                    } finally {
                        then.accept(true);
                    }
                });
                handedOver.set(true);
            });
        } finally {
            if (!handedOver.get()) {
                then.accept(false);
            }
        }
    }
}
