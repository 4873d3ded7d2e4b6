package dev.tenancy.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Brings a pooled session back to a known state and binds it to one tenant, on every borrow: a
 * pooled session is hostile ground, and whatever its previous borrower left in it (an open or
 * aborted transaction, temporary tables, views and functions, settings, a role, cursors,
 * listeners, advisory locks, SQL-level prepared statements) must not reach the next one.
 *
 * <p>On PostgreSQL, one round trip: {@code ROLLBACK} when pgJDBC reports a transaction open or
 * aborted, then, in a {@code READ WRITE} transaction (so a read-only default left behind cannot
 * stop it), {@value #RESET} (what {@code DISCARD ALL} does, less the two parts that would
 * throw away pgJDBC's own prepared statements, and allowed where {@code DISCARD ALL} is not:
 * inside the implicit transaction of a multi-statement round trip), then the binding: the search
 * path with {@code pg_temp} searched last (a temporary object can never shadow a tenant's table),
 * the tenant ({@code tenancy_bind(...)} with a signature when the key is given, else a plain
 * setting), the read-only default, and a look at {@code pg_prepared_statements}: a statement
 * prepared with SQL {@code PREPARE} could stand in for one of pgJDBC's (same names), so when one
 * exists the session deallocates them all (pgJDBC sees it and prepares its own again).
 *
 * <p>Behind a transaction-pooling proxy the same reset and binding are sent at the start of each
 * transaction instead, transaction-scoped ({@link #bindTransaction}).
 *
 * <p>On H2: roll back, auto-commit on, the schema. A failure here is the caller's signal to evict
 * the connection.
 */
final class SessionBinder {
    /** Everything {@code DISCARD ALL} resets except pgJDBC's prepared statements and plans. */
    static final String RESET = "SET SESSION AUTHORIZATION DEFAULT; RESET ALL; CLOSE ALL; UNLISTEN *;"
            + " SELECT pg_advisory_unlock_all(); DISCARD TEMP; DISCARD SEQUENCES";

    /** The schema the binding machinery of signed policies lives in (see {@link RowLevelSecurity#signedBy}). */
    static final String BINDING_SCHEMA = "public";

    /** The function that verifies a signed binding and records its token. */
    static final String BIND_FUNCTION = "tenancy_bind";

    private SessionBinder() {}

    /** Whether {@value #BIND_FUNCTION} is installed in {@code c}'s database. */
    static boolean bindingInstalled(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT to_regprocedure('" + BINDING_SCHEMA + "." + BIND_FUNCTION
                        + "(text, text, bigint, text, text, boolean)') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /**
     * Resets {@code pooled}'s session and binds it to {@code binding} for the session.
     *
     * @param physical the driver's connection under the pool's, for its transaction state
     * @param key signs the binding when not null (PostgreSQL, shared and schema tenants)
     * @return the server process id the binding ran on (PostgreSQL), or -1
     */
    static int bindSession(Connection pooled, Connection physical, Dialect dialect, Binding binding, BindingKey key)
            throws SQLException {
        if (dialect == Dialect.H2) {
            try (Statement s = pooled.createStatement()) {
                s.execute("ROLLBACK; SET AUTOCOMMIT TRUE; " + dialect.bindSql(binding));
            }
            return -1;
        }
        // An explicit READ WRITE transaction: a read-only default the previous borrower set cannot
        // stop the binding, and the session settings made in it hold once it commits.
        String sql = (TransactionState.idle(physical) ? "" : "ROLLBACK; ") + "BEGIN READ WRITE; " + RESET + "; "
                + binding(binding, key != null, false);
        return run(pooled, sql, binding, key, false);
    }

    /**
     * Resets the session of a transaction about to begin on {@code pooled} (auto-commit off: pgJDBC
     * sends {@code BEGIN} with this round trip) and binds it to {@code binding} for that transaction
     * only: what a transaction-pooling proxy needs, since the next transaction may run on another
     * server process, and the session-level state any earlier client of that process left (temporary
     * objects, settings, a role) is reset here too.
     *
     * @param isolation a {@link Connection} isolation level for the transaction, or -1 for the default
     */
    static void bindTransaction(Connection pooled, Binding binding, BindingKey key, int isolation) throws SQLException {
        // First, before any query: a read-only default left on the server process cannot stop the binding.
        String first = "SET TRANSACTION " + (isolation < 0 ? "" : "ISOLATION LEVEL " + isolationName(isolation) + " ")
                + "READ WRITE; ";
        run(pooled, first + RESET + "; " + binding(binding, key != null, true), binding, key, true);
    }

    /** The SQL name of a {@link Connection} isolation level. */
    static String isolationName(int level) throws SQLException {
        return switch (level) {
            case Connection.TRANSACTION_READ_UNCOMMITTED -> "READ UNCOMMITTED";
            case Connection.TRANSACTION_READ_COMMITTED -> "READ COMMITTED";
            case Connection.TRANSACTION_REPEATABLE_READ -> "REPEATABLE READ";
            case Connection.TRANSACTION_SERIALIZABLE -> "SERIALIZABLE";
            default -> throw new SQLException("Unknown transaction isolation level " + level, "HY024");
        };
    }

    private static String binding(Binding binding, boolean signed, boolean local) {
        String scope = local ? "SET LOCAL " : "SET ";
        StringBuilder sql = new StringBuilder(320)
                .append(scope)
                .append("search_path TO ")
                .append(Dialect.quote(binding.schema()))
                .append(", pg_temp; ");
        if (signed) {
            sql.append("SELECT ")
                    .append(Dialect.quote(BINDING_SCHEMA))
                    .append('.')
                    .append(BIND_FUNCTION)
                    .append("(?, ?, ?, ?, ?, ")
                    .append(local)
                    .append("); ");
        } else {
            // a validated tenant id: lowercase letters, digits and '-'
            sql.append(scope)
                    .append(Dialect.TENANT_SETTING)
                    .append(" TO '")
                    .append(binding.tenant() == null ? "" : binding.tenant().value())
                    .append("'; ");
        }
        if (local) {
            sql.append(binding.readOnly() ? "SET LOCAL transaction_read_only TO on; " : "");
        } else {
            sql.append("SET default_transaction_read_only TO ")
                    .append(binding.readOnly() ? "on" : "off")
                    .append("; COMMIT; ");
        }
        return sql.append("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_prepared_statements WHERE from_sql),"
                        + " pg_catalog.pg_backend_pid()")
                .toString();
    }

    /** Runs the reset and binding; returns the server process id it ran on. */
    private static int run(Connection pooled, String sql, Binding binding, BindingKey key, boolean local)
            throws SQLException {
        String[] last;
        try (PreparedStatement s = pooled.prepareStatement(sql)) {
            if (key != null) {
                String tenant = binding.tenant() == null ? "" : binding.tenant().value();
                long issued = System.currentTimeMillis();
                String nonce = nonce();
                s.setString(1, tenant);
                s.setString(2, binding.readOnly() ? "r" : "w");
                s.setLong(3, issued);
                s.setString(4, nonce);
                s.setString(5, key.signBinding(tenant, binding.readOnly(), issued, nonce));
            }
            last = lastRow(s);
        }
        if (last[0].equals("t") || last[0].equals("true")) { // a statement prepared with SQL PREPARE
            try (Statement s = pooled.createStatement()) {
                s.execute("DEALLOCATE ALL");
            }
        }
        return Integer.parseInt(last[1]);
    }

    /** Runs {@code s} and reads the two values of its last result. */
    private static String[] lastRow(PreparedStatement s) throws SQLException {
        boolean result = s.execute();
        String[] last = null;
        while (true) {
            if (result) {
                try (ResultSet rs = s.getResultSet()) {
                    if (rs.next() && rs.getMetaData().getColumnCount() == 2) {
                        last = new String[] {rs.getString(1), rs.getString(2)};
                    }
                }
            } else if (s.getUpdateCount() == -1) {
                break;
            }
            result = s.getMoreResults();
        }
        if (last == null) {
            throw new SQLException("The session binding returned no result", "08006");
        }
        return last;
    }

    /** 128 random bits in hex: unique per binding, which {@code tenancy_bind} remembers for a while. */
    private static String nonce() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextLong());
    }
}
