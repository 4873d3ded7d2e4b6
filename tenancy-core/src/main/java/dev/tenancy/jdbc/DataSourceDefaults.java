package dev.tenancy.jdbc;

import java.io.PrintWriter;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The parts of {@link DataSource} Tenancy's data sources answer alike: no JDBC log writer (logging
 * goes through SLF4J), a login timeout that is remembered but not applied (timeouts are the
 * pools'), no per-call credentials, and unwrapping to themselves only.
 */
abstract class DataSourceDefaults implements DataSource {
    private volatile int loginTimeout;

    @Override
    public java.sql.Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException(getClass().getSimpleName()
                + " connects with each server's configured credentials; call getConnection()");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {
        // Kept, not applied to the driver: HikariCP sets it and then waits this long for its
        // connection-adding thread when a pool shuts down (0 made every retirement log a warning).
        loginTimeout = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeout;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("Tenancy logs through SLF4J");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException(getClass().getSimpleName() + " does not wrap " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
