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

    /** The function that resets a session and binds it, in one statement (see {@link RowLevelSecurity}). */
    static final String SESSION_FUNCTION = "tenancy_session";

    /** The function that verifies a signed binding and records its token. */
    static final String BIND_FUNCTION = "tenancy_bind";

    private SessionBinder() {}

    /**
     * Whether {@value #SESSION_FUNCTION} (and, when {@code signed}, {@value #BIND_FUNCTION}) is
     * installed in {@code c}'s database.
     */
    static boolean installed(Connection c, boolean signed) throws SQLException {
        String arguments = "(text, text, bigint, text, text, boolean)";
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT to_regprocedure('" + BINDING_SCHEMA + "." + SESSION_FUNCTION
                        + arguments + "') IS NOT NULL AND (" + !signed + " OR to_regprocedure('" + BINDING_SCHEMA
                        + "." + BIND_FUNCTION + arguments + "') IS NOT NULL)")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /**
     * Resets {@code pooled}'s session and binds it to {@code binding} for the session.
     *
     * @param physical the driver's connection under the pool's, for its transaction state
     * @param key signs the binding when not null (PostgreSQL, shared and schema tenants); needs
     *     {@code installed}
     * @param installed whether {@value #SESSION_FUNCTION} is installed in the database: the reset
     *     and binding are then one statement, else a dozen (unsigned only)
     * @return the server process id the binding ran on (PostgreSQL), or -1
     */
    static int bindSession(
            Connection pooled, Connection physical, Dialect dialect, Binding binding, BindingKey key, boolean installed)
            throws SQLException {
        if (dialect == Dialect.H2) {
            try (Statement s = pooled.createStatement()) {
                s.execute("ROLLBACK; SET AUTOCOMMIT TRUE; " + dialect.bindSql(binding));
            }
            return -1;
        }
        String rollback = TransactionState.idle(physical) ? "" : "ROLLBACK; ";
        String path = "SET search_path TO " + Dialect.quote(binding.schema()) + ", pg_temp";
        if (!installed) {
            if (key != null) {
                throw new IllegalStateException("Signed bindings need " + SESSION_FUNCTION + " installed");
            }
            // An explicit READ WRITE transaction: a read-only default the previous borrower set
            // cannot stop the binding, and the session settings made in it hold once it commits.
            return run(
                    pooled,
                    rollback + "BEGIN READ WRITE; " + RESET + "; " + path + "; " + plainBinding(binding) + "; COMMIT; "
                            + CHECK,
                    binding,
                    null,
                    false);
        }
        String call = "SELECT " + Dialect.quote(BINDING_SCHEMA) + "." + SESSION_FUNCTION + "(?, ?, ?, ?, ?, false)";
        try {
            return run(pooled, rollback + call + "; " + path, binding, key, true);
        } catch (SQLException e) {
            if (!"25006".equals(e.getSQLState())) {
                throw e;
            }
            // The previous borrower left the session read-only by default: the binding's writes
            // need a READ WRITE transaction of their own.
            return run(pooled, "BEGIN READ WRITE; " + call + "; " + path + "; COMMIT", binding, key, true);
        }
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
    static void bindTransaction(Connection pooled, Binding binding, BindingKey key, boolean installed, int isolation)
            throws SQLException {
        // First, before any query: a read-only default left on the server process cannot stop the binding.
        String first = "SET TRANSACTION " + (isolation < 0 ? "" : "ISOLATION LEVEL " + isolationName(isolation) + " ")
                + "READ WRITE; ";
        String path = "SET LOCAL search_path TO " + Dialect.quote(binding.schema()) + ", pg_temp";
        if (!installed) {
            if (key != null) {
                throw new IllegalStateException("Signed bindings need " + SESSION_FUNCTION + " installed");
            }
            String readOnly = binding.readOnly() ? "; SET LOCAL transaction_read_only TO on" : "";
            run(
                    pooled,
                    first + RESET + "; " + path + "; " + plainBinding(binding).replace("SET ", "SET LOCAL ") + readOnly
                            + "; " + CHECK,
                    binding,
                    null,
                    false);
            return;
        }
        run(
                pooled,
                first + "SELECT " + Dialect.quote(BINDING_SCHEMA) + "." + SESSION_FUNCTION + "(?, ?, ?, ?, ?, true); "
                        + path,
                binding,
                key,
                true);
    }

    /** What the text reset ends with: a statement prepared with SQL, and the server process. */
    private static final String CHECK = "SELECT (EXISTS (SELECT 1 FROM pg_catalog.pg_prepared_statements"
            + " WHERE from_sql))::text || ',' || pg_catalog.pg_backend_pid()";

    /** The unsigned tenant setting and read-only default, as text (a validated tenant id). */
    private static String plainBinding(Binding binding) {
        return "SET " + Dialect.TENANT_SETTING + " TO '"
                + (binding.tenant() == null ? "" : binding.tenant().value())
                + "'; SET default_transaction_read_only TO " + (binding.readOnly() ? "on" : "off");
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

    /**
     * Runs the reset and binding ({@code withParameters}: the five arguments of {@value
     * #SESSION_FUNCTION}, the signature null when unsigned); returns the server process id it ran
     * on. A statement prepared with SQL {@code PREPARE} could stand in for one of pgJDBC's (same
     * names): then they are all deallocated, which pgJDBC notices and prepares its own again.
     */
    private static int run(Connection pooled, String sql, Binding binding, BindingKey key, boolean withParameters)
            throws SQLException {
        String result;
        try (PreparedStatement s = pooled.prepareStatement(sql)) {
            if (withParameters) {
                String tenant = binding.tenant() == null ? "" : binding.tenant().value();
                long issued = System.currentTimeMillis();
                String nonce = key == null ? null : nonce();
                s.setString(1, tenant);
                s.setString(2, binding.readOnly() ? "r" : "w");
                s.setLong(3, issued);
                s.setString(4, nonce);
                s.setString(5, key == null ? null : key.signBinding(tenant, binding.readOnly(), issued, nonce));
            }
            result = checkResult(s);
        }
        int comma = result.indexOf(',');
        if (result.startsWith("t")) {
            try (Statement s = pooled.createStatement()) {
                s.execute("DEALLOCATE ALL");
            }
        }
        return Integer.parseInt(result.substring(comma + 1));
    }

    /** Runs {@code s} and reads its one result row ({@code true,1234}). */
    private static String checkResult(PreparedStatement s) throws SQLException {
        boolean result = s.execute();
        String found = null;
        while (true) {
            if (result) {
                try (ResultSet rs = s.getResultSet()) {
                    if (rs.next()) {
                        String value = rs.getString(1);
                        if (value != null && value.indexOf(',') > 0) {
                            found = value;
                        }
                    }
                }
            } else if (s.getUpdateCount() == -1) {
                break;
            }
            result = s.getMoreResults();
        }
        if (found == null) {
            throw new SQLException("The session binding returned no result", "08006");
        }
        return found;
    }

    /** 128 random bits in hex: unique per binding, which {@code tenancy_bind} remembers for a while. */
    private static String nonce() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextLong());
    }
}
