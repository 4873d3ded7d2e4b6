package dev.tenancy.jdbc;

import dev.tenancy.audit.SecurityEvents;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executor;

/**
 * The connection a borrower gets: the pool's connection, reset and bound to one tenant by {@link
 * SessionBinder} (as every borrow is, whatever its previous borrower did). It records access
 * refusals as security events, and on H2, which has no read-only sessions, a read-only binding
 * refuses statements that write.
 */
final class BoundConnection extends ConnectionDelegate {

    private final Binding binding;
    private final Dialect dialect;
    private final Runnable onClose;
    private final SecurityEvents security;
    private boolean closed;

    /** Behind a transaction-pooling proxy: each transaction is bound on its own (see {@link #beforeExecute}). */
    private final boolean perTransaction;

    private final BindingKey key;
    private final boolean installed;
    /** The driver's connection, for its transaction state (behind a transaction pooler). */
    private final Connection physical;
    /** What the borrower sees as auto-commit; behind a transaction pooler the pooled connection never is. */
    private boolean autoCommit = true;
    /** Whether the current transaction has been bound (behind a transaction pooler). */
    private boolean bound;

    private boolean readOnlyAsked;
    private int isolation = -1;

    private BoundConnection(
            Connection pooled,
            Binding binding,
            Dialect dialect,
            Runnable onClose,
            SecurityEvents security,
            boolean perTransaction,
            BindingKey key,
            boolean installed,
            Connection physical) {
        super(pooled);
        this.binding = binding;
        this.dialect = dialect;
        this.onClose = onClose;
        this.security = security;
        this.perTransaction = perTransaction;
        this.key = key;
        this.installed = installed;
        this.physical = physical;
    }

    /** A connection whose session is already reset and bound ({@link SessionBinder#bindSession}). */
    static Connection wrap(
            Connection pooled, Binding binding, Dialect dialect, Runnable onClose, SecurityEvents security) {
        return new BoundConnection(pooled, binding, dialect, onClose, security, false, null, false, null);
    }

    /**
     * A connection through a transaction-pooling proxy: {@code pooled} has auto-commit off, and
     * each transaction is reset and bound before its first statement ({@link
     * SessionBinder#bindTransaction}); auto-commit is emulated, a transaction per statement.
     */
    static Connection wrapPerTransaction(
            Connection pooled,
            Binding binding,
            Dialect dialect,
            Runnable onClose,
            SecurityEvents security,
            BindingKey key,
            boolean installed,
            Connection physical) {
        return new BoundConnection(pooled, binding, dialect, onClose, security, true, key, installed, physical);
    }

    // ---------------------------------------------------------------------------------------------
    // Hooks of the generated delegates

    @Override
    void open() throws SQLException {
        if (closed) {
            throw new SQLException("Connection is closed", "08003");
        }
    }

    /**
     * SQL is about to run. Behind a transaction pooler, a transaction that has not been bound yet is
     * reset and bound first, in the round trip that begins it; a failure there rolls it back.
     */
    void beforeExecute() throws SQLException {
        // The driver's own state, not only ours: a transaction the borrower's SQL ended (COMMIT,
        // ROLLBACK as a statement) leaves the next statement to begin a new one, unbound.
        if (!perTransaction || (bound && !TransactionState.idle(physical))) {
            return;
        }
        Binding effective =
                readOnlyAsked && !binding.readOnly() ? new Binding(binding.tenant(), binding.schema(), true) : binding;
        try {
            SessionBinder.bindTransaction(delegate, effective, key, installed, isolation);
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(e);
            throw e;
        }
        bound = true;
    }

    /** SQL ran: in emulated auto-commit, its transaction commits now. */
    void afterExecute() throws SQLException {
        if (perTransaction && autoCommit) {
            bound = false;
            delegate.commit();
        }
    }

    private void rollbackQuietly(Exception cause) {
        bound = false;
        try {
            delegate.rollback();
        } catch (SQLException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    /** A refusal by the database is a security event; in emulated auto-commit, a failure ends its transaction. */
    @Override
    <E extends Exception> E failed(E e) {
        if (perTransaction && autoCommit && bound) {
            rollbackQuietly(e);
        }
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
        refuseWriteIfReadOnly(sql);
    }

    /** A prepared statement about to run its write (H2 has no read-only sessions). */
    void beforeWrite() throws SQLException {
        if (binding.readOnly() && !dialect.enforcesReadOnly()) {
            throw new SQLException(readOnlyMessage(), "25006");
        }
    }

    /**
     * {@code value}, read from a result set or a call, watched when it can lead back to the session:
     * a nested result set (a PostgreSQL ref cursor) or an array (whose result sets name a driver
     * statement on the pooled connection) is wrapped to name {@code statement} instead. When the
     * caller asked for a type the wrapper is not (a driver class), the raw value is handed out, as
     * {@code unwrap} hands out the driver's objects: whatever is done with them, the next borrow
     * resets the session first.
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
    public void setAutoCommit(boolean autoCommit) throws SQLException {
        if (!perTransaction) {
            super.setAutoCommit(autoCommit);
            return;
        }
        open();
        if (autoCommit && !this.autoCommit && bound) {
            bound = false;
            delegate.commit(); // as JDBC says: switching auto-commit on commits
        }
        this.autoCommit = autoCommit;
    }

    @Override
    public boolean getAutoCommit() throws SQLException {
        return perTransaction ? autoCommit : super.getAutoCommit();
    }

    @Override
    public void commit() throws SQLException {
        if (!perTransaction) {
            super.commit();
            return;
        }
        open();
        if (autoCommit) {
            throw new SQLException("Cannot commit when auto-commit is on", "25000");
        }
        bound = false;
        delegate.commit();
    }

    @Override
    public void rollback() throws SQLException {
        if (!perTransaction) {
            super.rollback();
            return;
        }
        open();
        if (autoCommit) {
            throw new SQLException("Cannot roll back when auto-commit is on", "25000");
        }
        bound = false;
        delegate.rollback();
    }

    @Override
    public java.sql.Savepoint setSavepoint() throws SQLException {
        beforeExecute();
        return super.setSavepoint();
    }

    @Override
    public java.sql.Savepoint setSavepoint(String name) throws SQLException {
        beforeExecute();
        return super.setSavepoint(name);
    }

    /** Behind a transaction pooler, applied to each transaction ({@code SET LOCAL transaction_read_only}). */
    @Override
    public void setReadOnly(boolean readOnly) throws SQLException {
        if (!perTransaction) {
            super.setReadOnly(readOnly);
            return;
        }
        open();
        readOnlyAsked = readOnly;
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        return perTransaction ? readOnlyAsked || binding.readOnly() : super.isReadOnly();
    }

    /** Behind a transaction pooler, applied to each transaction ({@code SET TRANSACTION ISOLATION LEVEL}). */
    @Override
    public void setTransactionIsolation(int level) throws SQLException {
        if (!perTransaction) {
            super.setTransactionIsolation(level);
            return;
        }
        open();
        SessionBinder.isolationName(level); // refuses an unknown level now
        isolation = level;
    }

    @Override
    public int getTransactionIsolation() throws SQLException {
        return perTransaction && isolation >= 0 ? isolation : super.getTransactionIsolation();
    }

    @Override
    public boolean isClosed() throws SQLException {
        return closed || delegate.isClosed();
    }

    @Override
    public String toString() {
        return "TenantConnection[" + (binding.tenant() == null ? "platform" : binding.tenant()) + ", " + delegate + "]";
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

    private void refuseWriteIfReadOnly(String sql) throws SQLException {
        if (binding.readOnly() && !dialect.enforcesReadOnly() && sql != null && !H2ReadOnly.onlyReads(sql)) {
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
