package dev.tenancy.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each physical connection is known to be bound to. A connection that is not known, or was
 * forgotten because its last borrower may have disturbed it, is bound again on its next borrow.
 *
 * <p>A plain {@link ConcurrentHashMap}: the JDBC drivers Tenancy routes (pgJDBC, H2) compare
 * connections by identity, a lookup is a few nanoseconds and allocation-free, and {@link #sweep()}
 * (run by the data source's housekeeping) drops connections the pools have closed. A Caffeine
 * weak-keyed cache was measured first and cost microseconds per borrow: every lookup allocated a
 * lookup key and its maintenance woke a common-pool thread.
 */
final class BindingRegistry {
    private final ConcurrentHashMap<Connection, Binding> known = new ConcurrentHashMap<>();

    Binding get(Connection physical) {
        return known.get(physical);
    }

    void remember(Connection physical, Binding binding) {
        known.put(physical, binding);
    }

    void forget(Connection physical) {
        known.remove(physical);
    }

    /** Forgets connections that are closed; a connection whose state cannot be read is forgotten too. */
    void sweep() {
        known.keySet().removeIf(BindingRegistry::closed);
    }

    int size() {
        return known.size();
    }

    private static boolean closed(Connection c) {
        try {
            return c.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }
}
