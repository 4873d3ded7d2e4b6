package dev.tenancy.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Notices a server configured for session bindings that is in fact behind a transaction-pooling
 * proxy, where a session binding does not hold: the connection's server process changes between
 * two borrows. A direct connection is recognised at no cost (the server process id pgJDBC got at
 * start-up is the one the binding reports); only connections through a proxy (a different id, a
 * proxy's own) are followed, one entry per pooled connection, dropped once it is closed.
 */
final class ProxyDetector {
    private final ConcurrentHashMap<Connection, Integer> serverProcess = new ConcurrentHashMap<>();

    /**
     * @param serverPid the server process the binding just ran on ({@code pg_backend_pid()})
     * @throws SQLNonTransientConnectionException naming the setting, when the connection's server
     *     process changed since its last borrow
     */
    void check(DatabaseServer server, Connection physical, int serverPid) throws SQLException {
        if (BackendPid.of(physical) == serverPid) {
            return; // a direct connection
        }
        Integer before = serverProcess.put(physical, serverPid);
        if (before != null && before != serverPid) {
            serverProcess.remove(physical);
            throw new SQLNonTransientConnectionException(
                    "Server '" + server.name() + "' is reached through a transaction-pooling proxy: one connection"
                            + " ran on server process " + before + ", then on " + serverPid
                            + ", so a session binding does not hold there. Configure the server with"
                            + " DatabaseServer.withTransactionPooling() (Spring: tenancy.servers." + server.name()
                            + ".transaction-pooling=true)",
                    "08004");
        }
    }

    /** Forgets connections that are closed. */
    void sweep() {
        serverProcess.keySet().removeIf(c -> {
            try {
                return c.isClosed();
            } catch (SQLException e) {
                return true;
            }
        });
    }
}
