package dev.tenancy.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;

/**
 * The connection a borrower gets: the pool's connection, bound to one tenant, watching for
 * anything that could change its session binding. When the borrower runs SQL that could (any
 * {@code SET}, {@code RESET}, {@code DISCARD}, {@code set_config}, {@code search_path}, role or
 * session changes), calls {@code setSchema}/{@code setCatalog}/{@code setReadOnly}, or any call
 * fails, the physical connection is marked disturbed and is bound again before anyone borrows it.
 * On H2, which has no read-only sessions, a read-only binding refuses statements that write.
 */
final class BoundConnection implements InvocationHandler {
    // A statement that starts with SET/RESET/DISCARD (so not UPDATE ... SET), or that names the
    // session settings anywhere (set_config in a SELECT, a DO block).
    private static final Pattern DISTURBING = Pattern.compile("(?is)(.*(^|;)\\s*(set|reset|discard)\\b.*)"
            + "|(.*(set_config|search_path|session_authorization|" + Pattern.quote(Dialect.TENANT_SETTING) + ").*)");
    private static final Pattern READS =
            Pattern.compile("(?is)\\s*(\\(\\s*)*(select|with|values|table|show|explain)\\b.*");

    private final Connection pooled;
    private final Connection physical;
    private final Binding binding;
    private final Dialect dialect;
    private final BindingRegistry registry;
    private final Runnable onClose;
    private boolean disturbed;
    private boolean closed;
    Connection self;

    private BoundConnection(
            Connection pooled,
            Connection physical,
            Binding binding,
            Dialect dialect,
            BindingRegistry registry,
            Runnable onClose) {
        this.pooled = pooled;
        this.physical = physical;
        this.binding = binding;
        this.dialect = dialect;
        this.registry = registry;
        this.onClose = onClose;
    }

    static Connection wrap(
            Connection pooled,
            Connection physical,
            Binding binding,
            Dialect dialect,
            BindingRegistry registry,
            Runnable onClose) {
        BoundConnection handler = new BoundConnection(pooled, physical, binding, dialect, registry, onClose);
        handler.self = (Connection) Proxy.newProxyInstance(
                BoundConnection.class.getClassLoader(), new Class<?>[] {Connection.class}, handler);
        return handler.self;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        switch (name) {
            case "close" -> {
                close();
                return null;
            }
            case "isClosed" -> {
                return closed || pooled.isClosed();
            }
            case "equals" -> {
                return proxy == args[0];
            }
            case "hashCode" -> {
                return System.identityHashCode(proxy);
            }
            case "toString" -> {
                return "TenantConnection[" + (binding.tenant() == null ? "platform" : binding.tenant()) + ", " + pooled
                        + "]";
            }
            case "unwrap", "isWrapperFor" -> {
                // Handing out the raw connection would let callers bypass the binding watch.
                disturbed = true;
            }
            case "setSchema", "setCatalog", "setReadOnly" -> disturbed = true;
            case "nativeSQL" -> inspect((String) args[0]);
            default -> {}
        }
        if (closed) {
            throw new SQLException("Connection is closed", "08003");
        }
        if ((name.equals("prepareStatement") || name.equals("prepareCall"))
                && args != null
                && args[0] instanceof String sql) {
            inspect(sql);
            refuseWriteIfReadOnly(sql);
        }
        Object result = call(pooled, method, args);
        if (result instanceof Statement statement) {
            Class<?> type = result instanceof CallableStatement
                    ? CallableStatement.class
                    : result instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
            return Proxy.newProxyInstance(
                    BoundConnection.class.getClassLoader(), new Class<?>[] {type}, new Watched(statement));
        }
        return result;
    }

    private Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            disturbed = true; // an aborted transaction or a half-applied change: bind again before reuse
            throw e.getCause();
        }
    }

    private void inspect(String sql) {
        if (sql != null && DISTURBING.matcher(sql).matches()) {
            disturbed = true;
        }
    }

    private void refuseWriteIfReadOnly(String sql) throws SQLException {
        if (binding.readOnly()
                && !dialect.enforcesReadOnly()
                && sql != null
                && !READS.matcher(sql).matches()) {
            throw new SQLException(
                    "Tenant '" + binding.tenant() + "' is read-only (archived): refused " + abbreviate(sql), "25006");
        }
    }

    private void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        if (disturbed) {
            registry.forget(physical);
        }
        try {
            pooled.close();
        } finally {
            onClose.run();
        }
    }

    private static String abbreviate(String sql) {
        String flat = sql.strip().replaceAll("\\s+", " ");
        return flat.length() > 60 ? flat.substring(0, 60) + "..." : flat;
    }

    /** A statement of this connection: inspects SQL passed at execution. */
    private final class Watched implements InvocationHandler {
        private final Statement statement;

        Watched(Statement statement) {
            this.statement = statement;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            switch (name) {
                case "getConnection" -> {
                    return self;
                }
                case "equals" -> {
                    return proxy == args[0];
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                case "unwrap", "isWrapperFor" -> disturbed = true;
                default -> {}
            }
            if (args != null
                    && args.length > 0
                    && args[0] instanceof String sql
                    && (name.startsWith("execute") || name.equals("addBatch"))) {
                inspect(sql);
                refuseWriteIfReadOnly(sql);
            }
            if (binding.readOnly()
                    && !dialect.enforcesReadOnly()
                    && statement instanceof PreparedStatement
                    && (name.equals("executeUpdate")
                            || name.equals("executeLargeUpdate")
                            || name.equals("executeBatch"))
                    && (args == null || args.length == 0)) {
                throw new SQLException("Tenant '" + binding.tenant() + "' is read-only (archived)", "25006");
            }
            return call(statement, method, args);
        }
    }
}
