package dev.tenancy.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
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
        handler.self = Proxies.of(Connection.class, handler);
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
            Class<? extends Statement> type = result instanceof CallableStatement
                    ? CallableStatement.class
                    : result instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
            return Proxies.of(type, new Watched(statement));
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
        if (sql != null && mayChangeSession(sql)) {
            disturbed = true;
        }
    }

    /**
     * Whether {@code sql} could change the session's binding: a statement that starts with {@code
     * SET}, {@code RESET} or {@code DISCARD} (after any comments; so not {@code UPDATE ... SET}), or
     * any mention of {@code set_config}, {@code search_path}, {@code session_authorization} or the
     * tenant setting (in a {@code SELECT}, a {@code DO} block, a function call). Errs towards yes: a
     * false alarm costs one binding statement on the next borrow. One pass, no allocation; a regular
     * expression doing the same was the largest part of a borrow's own cost.
     */
    static boolean mayChangeSession(String sql) {
        int n = sql.length();
        boolean statementStart = true;
        for (int i = 0; i < n; i++) {
            char c = sql.charAt(i);
            if (c == ';') {
                statementStart = true;
            } else if (statementStart && c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end;
            } else if (statementStart && c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 1;
            } else if (!Character.isWhitespace(c)) {
                if (statementStart
                        && (startsWord(sql, i, "set")
                                || startsWord(sql, i, "reset")
                                || startsWord(sql, i, "discard"))) {
                    return true;
                }
                statementStart = false;
                char lower = (char) (c | 0x20);
                if (lower == 's'
                        && (sql.regionMatches(true, i, "set_config", 0, 10)
                                || sql.regionMatches(true, i, "search_path", 0, 11)
                                || sql.regionMatches(true, i, "session_authorization", 0, 21))) {
                    return true;
                }
                if (lower == 't'
                        && sql.regionMatches(true, i, Dialect.TENANT_SETTING, 0, Dialect.TENANT_SETTING.length())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean startsWord(String sql, int at, String word) {
        int end = at + word.length();
        return sql.regionMatches(true, at, word, 0, word.length())
                && (end == sql.length() || !Character.isJavaIdentifierPart(sql.charAt(end)));
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
