package dev.tenancy.benchmarks;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.List;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * A JDBC driver that answers at once without a database, for {@code jdbc:h2:stub:} URLs: every
 * query returns one row holding {@code 1}, every other statement succeeds. It lets a benchmark
 * measure a pool's and the library's own overhead, without network or server time.
 */
public final class StubDriver implements Driver {
    static final String PREFIX = "jdbc:h2:stub:";
    private static final StubDriver INSTANCE = new StubDriver();

    static synchronized void register() throws SQLException {
        if (DriverManager.drivers().noneMatch(d -> d == INSTANCE)) {
            // HikariCP takes the first driver that accepts the URL, and H2's accepts every
            // jdbc:h2: URL: register this one ahead of it.
            List<Driver> others = DriverManager.drivers().toList();
            for (Driver d : others) {
                DriverManager.deregisterDriver(d);
            }
            DriverManager.registerDriver(INSTANCE);
            for (Driver d : others) {
                DriverManager.registerDriver(d);
            }
        }
    }

    @Override
    public Connection connect(String url, Properties info) {
        return acceptsURL(url) ? connection() : null;
    }

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith(PREFIX);
    }

    private static Connection connection() {
        boolean[] closed = {false};
        InvocationHandler handler = (proxy, method, args) -> switch (method.getName()) {
            case "isValid", "getAutoCommit" -> true;
            case "isClosed" -> closed[0];
            case "close" -> {
                closed[0] = true;
                yield null;
            }
            case "getTransactionIsolation" -> Connection.TRANSACTION_READ_COMMITTED;
            case "getSchema" -> "PUBLIC";
            case "createStatement", "prepareStatement" -> statement();
            case "isWrapperFor" -> false;
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            case "toString" -> "StubConnection";
            default -> defaultValue(method.getReturnType());
        };
        return (Connection)
                Proxy.newProxyInstance(StubDriver.class.getClassLoader(), new Class<?>[] {Connection.class}, handler);
    }

    private static PreparedStatement statement() {
        InvocationHandler handler = (proxy, method, args) -> switch (method.getName()) {
            case "executeQuery", "getResultSet" -> resultSet();
            case "getUpdateCount" -> -1;
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> defaultValue(method.getReturnType());
        };
        return (PreparedStatement) Proxy.newProxyInstance(
                StubDriver.class.getClassLoader(), new Class<?>[] {PreparedStatement.class}, handler);
    }

    private static ResultSet resultSet() {
        int[] row = {0};
        InvocationHandler handler = (proxy, method, args) -> switch (method.getName()) {
            case "next" -> ++row[0] == 1;
            case "getInt" -> 1;
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> defaultValue(method.getReturnType());
        };
        return (ResultSet)
                Proxy.newProxyInstance(StubDriver.class.getClassLoader(), new Class<?>[] {ResultSet.class}, handler);
    }

    private static Object defaultValue(Class<?> type) {
        return type.isPrimitive() && type != void.class ? Array.get(Array.newInstance(type, 1), 0) : null;
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        return new DriverPropertyInfo[0];
    }

    @Override
    public int getMajorVersion() {
        return 1;
    }

    @Override
    public int getMinorVersion() {
        return 0;
    }

    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }
}
