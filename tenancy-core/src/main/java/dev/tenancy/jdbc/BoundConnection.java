package dev.tenancy.jdbc;

import dev.tenancy.audit.SecurityEvents;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * The connection a borrower gets: the pool's connection, bound to one tenant, watching for
 * anything that could change its session binding. When the borrower runs SQL that could (any
 * {@code SET}, {@code RESET}, {@code DISCARD}, {@code set_config}, {@code search_path}, role or
 * session changes), calls {@code setSchema}/{@code setCatalog}/{@code setReadOnly}, or any call
 * fails, the physical connection is marked disturbed and is bound again before anyone borrows it.
 * On H2, which has no read-only sessions, a read-only binding refuses statements that write.
 */
final class BoundConnection extends ConnectionDelegate {
    private static final Pattern READS =
            Pattern.compile("(?is)\\s*(\\(\\s*)*(select|with|values|table|show|explain)\\b.*");

    private final Connection physical;
    private final Binding binding;
    private final Dialect dialect;
    private final BindingRegistry registry;
    private final Runnable onClose;
    private final SecurityEvents security;
    private boolean disturbed;
    private boolean closed;

    private BoundConnection(
            Connection pooled,
            Connection physical,
            Binding binding,
            Dialect dialect,
            BindingRegistry registry,
            Runnable onClose,
            SecurityEvents security) {
        super(pooled);
        this.physical = physical;
        this.binding = binding;
        this.dialect = dialect;
        this.registry = registry;
        this.onClose = onClose;
        this.security = security;
    }

    static Connection wrap(
            Connection pooled,
            Connection physical,
            Binding binding,
            Dialect dialect,
            BindingRegistry registry,
            Runnable onClose,
            SecurityEvents security) {
        return new BoundConnection(pooled, physical, binding, dialect, registry, onClose, security);
    }

    // ---------------------------------------------------------------------------------------------
    // Hooks of the generated delegates

    @Override
    void open() throws SQLException {
        if (closed) {
            throw new SQLException("Connection is closed", "08003");
        }
    }

    /** An aborted transaction or a half-applied change: bind again before reuse. */
    @Override
    <E extends Exception> E failed(E e) {
        disturbed = true;
        if (security != null
                && binding.tenant() != null
                && e instanceof SQLException sql
                && "42501".equals(sql.getSQLState())) {
            security.accessDenied(binding.tenant(), sql.getSQLState(), sql.getMessage());
        }
        return e;
    }

    /** SQL about to run on one of this connection's statements. */
    void beforeSql(String sql) throws SQLException {
        inspect(sql);
        refuseWriteIfReadOnly(sql);
    }

    /** A prepared statement about to run its write (H2 has no read-only sessions). */
    void beforeWrite() throws SQLException {
        if (binding.readOnly() && !dialect.enforcesReadOnly()) {
            throw new SQLException(readOnlyMessage(), "25006");
        }
    }

    /** Handing out the raw connection or statement would let callers bypass the binding watch. */
    void unwrapping() {
        disturbed = true;
    }

    /**
     * {@code value}, read from a result set or a call, watched when it can lead back to the session:
     * a nested result set (a PostgreSQL ref cursor) or an array (whose result sets name a driver
     * statement on the pooled connection) is wrapped to name {@code statement} instead. When the
     * caller asked for a type the wrapper is not (a driver class), the raw value is handed out and
     * the connection is marked for re-binding, as for {@code unwrap}.
     */
    Object watchedValue(Object value, Statement statement, Class<?> requested) {
        Object watched;
        if (value instanceof ResultSet rs) {
            watched = new WatchedResultSet(rs, statement, this);
        } else if (value instanceof java.sql.Array array) {
            watched = new WatchedArray(array, statement, this);
        } else {
            return value;
        }
        if (requested != null && !requested.isInstance(watched)) {
            unwrapping();
            return value;
        }
        return watched;
    }

    // ---------------------------------------------------------------------------------------------
    // What differs from plain delegation

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        if (disturbed) {
            registry.forget(physical);
        }
        try {
            delegate.close();
        } finally {
            onClose.run();
        }
    }

    /**
     * Aborts the physical connection and, as JDBC says, leaves this one closed (a later {@code
     * close()} does nothing). The pool gets its connection back only once the driver has done the
     * abort (PostgreSQL does it in {@code executor}'s task), so the pool sees it closed and evicts
     * it instead of lending out a connection about to die; a driver that ignores abort (H2) gets
     * it back at once, still open and usable.
     */
    @Override
    public void abort(Executor executor) throws SQLException {
        if (executor == null) {
            throw new SQLException("abort(executor) needs an executor to run the driver's abort on", "HY009");
        }
        if (closed) {
            return;
        }
        closed = true;
        disturbed = true;
        registry.forget(physical);
        Aborts.abortThen(delegate, executor, afterDriverTask -> giveBack());
    }

    /** Returns the aborted connection to the pool, which evicts it when it is closed. */
    private void giveBack() {
        try {
            delegate.close();
        } catch (SQLException | RuntimeException e) {
            // The pool evicts a connection that fails on return; nothing is left to tell anyone.
        } finally {
            onClose.run();
        }
    }

    @Override
    public boolean isClosed() throws SQLException {
        return closed || delegate.isClosed();
    }

    @Override
    public String toString() {
        return "TenantConnection[" + (binding.tenant() == null ? "platform" : binding.tenant()) + ", " + delegate + "]";
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        unwrapping();
        return super.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        unwrapping();
        return super.isWrapperFor(type);
    }

    /**
     * Metadata hands out the pooled connection itself ({@code getMetaData().getConnection()}),
     * outside this watch: bind again before reuse, as after {@link #unwrap}.
     */
    @Override
    public java.sql.DatabaseMetaData getMetaData() throws SQLException {
        unwrapping();
        return super.getMetaData();
    }

    @Override
    public void setSchema(String schema) throws SQLException {
        disturbed = true;
        super.setSchema(schema);
    }

    @Override
    public void setCatalog(String catalog) throws SQLException {
        disturbed = true;
        super.setCatalog(catalog);
    }

    @Override
    public void setReadOnly(boolean readOnly) throws SQLException {
        disturbed = true;
        super.setReadOnly(readOnly);
    }

    @Override
    public String nativeSQL(String sql) throws SQLException {
        inspect(sql);
        return super.nativeSQL(sql);
    }

    /** An array built here: its result sets name no statement (the driver's name one on the pooled connection). */
    @Override
    public java.sql.Array createArrayOf(String typeName, Object[] elements) throws SQLException {
        return new WatchedArray(super.createArrayOf(typeName, elements), null, this);
    }

    @Override
    public Statement createStatement() throws SQLException {
        return new WatchedStatement(super.createStatement(), this);
    }

    @Override
    public Statement createStatement(int type, int concurrency) throws SQLException {
        return new WatchedStatement(super.createStatement(type, concurrency), this);
    }

    @Override
    public Statement createStatement(int type, int concurrency, int holdability) throws SQLException {
        return new WatchedStatement(super.createStatement(type, concurrency, holdability), this);
    }

    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        beforeSql(sql);
        return new WatchedPreparedStatement(super.prepareStatement(sql), this);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
        beforeSql(sql);
        return new WatchedPreparedStatement(super.prepareStatement(sql, autoGeneratedKeys), this);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
        beforeSql(sql);
        return new WatchedPreparedStatement(super.prepareStatement(sql, columnIndexes), this);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
        beforeSql(sql);
        return new WatchedPreparedStatement(super.prepareStatement(sql, columnNames), this);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int type, int concurrency) throws SQLException {
        beforeSql(sql);
        return new WatchedPreparedStatement(super.prepareStatement(sql, type, concurrency), this);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int type, int concurrency, int holdability)
            throws SQLException {
        beforeSql(sql);
        return new WatchedPreparedStatement(super.prepareStatement(sql, type, concurrency, holdability), this);
    }

    @Override
    public CallableStatement prepareCall(String sql) throws SQLException {
        beforeSql(sql);
        return new WatchedCallableStatement(super.prepareCall(sql), this);
    }

    @Override
    public CallableStatement prepareCall(String sql, int type, int concurrency) throws SQLException {
        beforeSql(sql);
        return new WatchedCallableStatement(super.prepareCall(sql, type, concurrency), this);
    }

    @Override
    public CallableStatement prepareCall(String sql, int type, int concurrency, int holdability) throws SQLException {
        beforeSql(sql);
        return new WatchedCallableStatement(super.prepareCall(sql, type, concurrency, holdability), this);
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
     * tenant setting (in a {@code SELECT}, a {@code DO} block, a function call, a comment). Errs
     * towards yes: a false alarm costs one binding statement on the next borrow. No allocation, and
     * no loop over every character: statements start at the beginning and after each {@code ;}, and
     * every name above contains {@code _}, so both are found with {@link String#indexOf(int)} (a
     * vectorised scan); a per-character loop was a visible share of a Hibernate transaction's
     * client CPU, and a regular expression before it the largest part of a borrow's own cost.
     */
    static boolean mayChangeSession(String sql) {
        for (int from = 0; from >= 0; ) {
            if (startsSessionCommand(sql, from)) {
                return true;
            }
            int semicolon = sql.indexOf(';', from);
            from = semicolon < 0 ? -1 : semicolon + 1;
        }
        for (int u = sql.indexOf('_', 1); u > 0; u = sql.indexOf('_', u + 1)) {
            boolean mention = switch (sql.charAt(u - 1) | 0x20) {
                case 't' -> mentionAt(sql, u, "set_config") || mentionAt(sql, u, Dialect.TENANT_SETTING);
                case 'h' -> mentionAt(sql, u, "search_path");
                case 'n' -> mentionAt(sql, u, "session_authorization");
                default -> false;
            };
            if (mention) {
                return true;
            }
        }
        return false;
    }

    /** Whether the statement starting at {@code from} is a SET, RESET or DISCARD, after blanks and comments. */
    private static boolean startsSessionCommand(String sql, int from) {
        int n = sql.length();
        for (int i = from; i < n; i++) {
            char c = sql.charAt(i);
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 1;
            } else if (!Character.isWhitespace(c)) {
                return startsWord(sql, i, "set") || startsWord(sql, i, "reset") || startsWord(sql, i, "discard");
            }
        }
        return false;
    }

    /** Whether {@code name} stands in {@code sql} with its first {@code _} at {@code underscore}. */
    private static boolean mentionAt(String sql, int underscore, String name) {
        int start = underscore - name.indexOf('_');
        return start >= 0 && sql.regionMatches(true, start, name, 0, name.length());
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
            throw new SQLException(readOnlyMessage() + ": refused " + abbreviate(sql), "25006");
        }
    }

    private String readOnlyMessage() {
        return (binding.tenant() == null ? "The system scope" : "Tenant '" + binding.tenant() + "'")
                + " is bound read-only (an archived tenant, or a read-only TenantScope)";
    }

    private static String abbreviate(String sql) {
        String flat = sql.strip().replaceAll("\\s+", " ");
        return flat.length() > 60 ? flat.substring(0, 60) + "..." : flat;
    }
}
