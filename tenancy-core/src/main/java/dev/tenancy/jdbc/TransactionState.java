package dev.tenancy.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Whether a PostgreSQL connection's session is outside any transaction block. pgJDBC knows it
 * from the server's last ready-for-query message ({@code BaseConnection.getTransactionState()},
 * no round trip), so a transaction the previous borrower opened with plain SQL ({@code
 * execute("BEGIN")}) or left aborted is seen; it is read reflectively because tenancy-core does
 * not depend on pgJDBC. For another driver the state is unknown, and the binding rolls back
 * anyway (a warning from the server when there was nothing to roll back).
 */
final class TransactionState {
    private static volatile Method getter;
    private static volatile Class<?> baseConnection;
    private static volatile boolean unavailable;

    private TransactionState() {}

    /** Whether {@code physical} is known to be idle (no transaction open or aborted). */
    static boolean idle(Connection physical) throws SQLException {
        Class<?> type = baseConnection;
        if (type == null) {
            if (unavailable) {
                return false;
            }
            type = load(physical);
            if (type == null) {
                return false;
            }
        }
        if (!type.isInstance(physical)) {
            return false;
        }
        try {
            return "IDLE".equals(String.valueOf(getter.invoke(physical)));
        } catch (IllegalAccessException | InvocationTargetException e) {
            return false;
        }
    }

    private static Class<?> load(Connection physical) {
        try {
            Class<?> type = Class.forName(
                    "org.postgresql.core.BaseConnection",
                    false,
                    physical.getClass().getClassLoader());
            getter = type.getMethod("getTransactionState");
            baseConnection = type;
            return type;
        } catch (ClassNotFoundException | NoSuchMethodException | LinkageError e) {
            unavailable = true;
            return null;
        }
    }
}
