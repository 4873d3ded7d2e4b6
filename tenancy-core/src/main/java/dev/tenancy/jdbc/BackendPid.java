package dev.tenancy.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The PostgreSQL server process id of a connection, which a signed binding names. pgJDBC knows it
 * from the connection's start-up ({@code PGConnection.getBackendPID()}, no round trip); it is read
 * reflectively because tenancy-core does not depend on pgJDBC. Another driver pays one query.
 */
final class BackendPid {
    private static volatile Method pgMethod;
    private static volatile Class<?> pgInterface;

    private BackendPid() {}

    static int of(Connection physical) throws SQLException {
        Class<?> type = pgInterface;
        if (type == null) {
            type = load(physical);
        }
        if (type != null && physical.isWrapperFor(type)) {
            try {
                return (Integer) pgMethod.invoke(physical.unwrap(type));
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new SQLException("Could not read the backend process id: " + e, e);
            }
        }
        try (Statement s = physical.createStatement();
                var rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static Class<?> load(Connection physical) {
        try {
            Class<?> type = Class.forName(
                    "org.postgresql.PGConnection", false, physical.getClass().getClassLoader());
            pgMethod = type.getMethod("getBackendPID");
            pgInterface = type;
            return type;
        } catch (ClassNotFoundException | NoSuchMethodException | LinkageError e) {
            return null;
        }
    }
}
