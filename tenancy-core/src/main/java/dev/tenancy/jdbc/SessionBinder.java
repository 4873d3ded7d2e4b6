package dev.tenancy.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Brings a pooled session back to a known state and binds it to one tenant, on every borrow: a
 * pooled session is hostile ground, and whatever its previous borrower left in it (an open or
 * aborted transaction, temporary tables, views and functions, settings, a role, cursors,
 * listeners, advisory locks, SQL-level prepared statements) must not reach the next one.
 *
 * <p>On PostgreSQL, one round trip: {@code ROLLBACK} when pgJDBC reports a transaction open or
 * aborted, then {@value #SESSION_FUNCTION}(...), which runs what {@code DISCARD ALL} does less the
 * parts that would throw away pgJDBC's own prepared statements ({@link #RESET_STATEMENTS}) and
 * binds the tenant ({@code tenancy_bind(...)} with a signature when a key is given, else a plain
 * setting) and the read-only default; then the search path, with {@code pg_temp} searched last (a
 * temporary object can never shadow a tenant's table). A statement prepared with SQL {@code
 * PREPARE} could stand in for one of pgJDBC's (same names): when one exists, the session
 * deallocates them all (pgJDBC sees it and prepares its own again). Where the function cannot be
 * installed (no owner), the same reset is sent as text, unsigned.
 *
 * <p>Behind a transaction-pooling proxy the same reset and binding are sent at the start of each
 * transaction instead, transaction-scoped ({@link #bindTransaction}).
 *
 * <p>On H2: roll back, auto-commit on, the schema. A failure here is the caller's signal to evict
 * the connection.
 */
final class SessionBinder {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SessionBinder.class);

    /**
     * Everything {@code DISCARD ALL} resets except pgJDBC's prepared statements and plans, in order:
     * sent as text ({@link #RESET}) where {@value #SESSION_FUNCTION} is not installed, run by it
     * where it is ({@link #sessionFunction()}).
     */
    private static final List<String> RESET_STATEMENTS = List.of(
            "SET SESSION AUTHORIZATION DEFAULT",
            "RESET ALL",
            // A role default (ALTER ROLE CURRENT_USER SET row_security = off, which any role may run
            // on itself) survives RESET ALL: with it every policy would raise an error instead of
            // filtering. Policies are never optional for a tenant's session.
            "SET row_security TO on",
            "CLOSE ALL",
            "UNLISTEN *",
            "SELECT pg_catalog.pg_advisory_unlock_all()",
            "DISCARD TEMP",
            "DISCARD SEQUENCES");

    /** {@link #RESET_STATEMENTS} as one text. */
    static final String RESET = String.join("; ", RESET_STATEMENTS);

    /** The schema the binding machinery of signed policies lives in (see {@link RowLevelSecurity#signedBy}). */
    static final String BINDING_SCHEMA = "public";

    /** The function that resets a session and binds it, in one statement (see {@link RowLevelSecurity}). */
    static final String SESSION_FUNCTION = "tenancy_session";

    /**
     * Marks the current body of {@value #SESSION_FUNCTION}: an older one is replaced by the owner
     * (or, without one, not used).
     */
    private static final String VERSION = "tenancy_session v2";

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
                ResultSet rs = s.executeQuery("SELECT COALESCE((SELECT prosrc LIKE '%" + VERSION + "%'"
                        + " FROM pg_catalog.pg_proc WHERE oid = to_regprocedure('" + BINDING_SCHEMA + "."
                        + SESSION_FUNCTION + arguments + "')), false) AND (" + !signed + " OR to_regprocedure('"
                        + BINDING_SCHEMA + "." + BIND_FUNCTION + arguments + "') IS NOT NULL)")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /**
     * Installs {@value #SESSION_FUNCTION} (and, with {@code key}, the machinery of signed bindings)
     * in {@code owner}'s database unless it is there, as its owner; whether it is there now. Without
     * a key, a failure (the user may not create functions) leaves the text reset, and says so.
     */
    static boolean ensureInstalled(Connection owner, BindingKey key) throws SQLException {
        if (installed(owner, key != null)) {
            return true;
        }
        try {
            RowLevelSecurity.installBinding(owner, key);
            return true;
        } catch (SQLException e) {
            if (key != null) {
                throw e;
            }
            LOG.warn(
                    "Could not install {}.{} as the owner ({}): sessions are reset with a dozen statements",
                    BINDING_SCHEMA,
                    SESSION_FUNCTION,
                    e.getMessage());
            return false;
        }
    }

    /**
     * {@value #SESSION_FUNCTION}(tenant, mode, issued, nonce, signature, local), run as the caller:
     * the reset and the binding in one statement (a dozen statements cost a dozen protocol exchanges
     * through pgJDBC; measured in {@code BENCHMARKS.md}). Runs {@link #RESET_STATEMENTS}; binds the
     * tenant through {@value #BIND_FUNCTION} when a signature is given, else as a plain setting; sets
     * read-only for mode {@code r}; returns whether a statement prepared with SQL {@code PREPARE}
     * exists, and the server process id, as {@code true,1234}. Every call is qualified: after the
     * reset the caller's search path is the default, and functions are never looked up in {@code
     * pg_temp}.
     */
    static String sessionFunction() {
        String home = Dialect.quote(BINDING_SCHEMA);
        StringBuilder reset = new StringBuilder();
        for (String statement : RESET_STATEMENTS) {
            reset.append("   EXECUTE '").append(statement).append("';");
        }
        return "CREATE OR REPLACE FUNCTION " + home + "." + SESSION_FUNCTION
                + "(p_tenant text, p_mode text, p_issued bigint, p_nonce text, p_signature text, p_local boolean)"
                + " RETURNS text LANGUAGE plpgsql VOLATILE AS $fn$"
                + " /* " + VERSION + " */ BEGIN"
                + reset
                + "   IF p_signature IS NULL THEN"
                + "     PERFORM pg_catalog.set_config('" + Dialect.TENANT_SETTING + "', p_tenant, p_local);"
                + "   ELSE"
                + "     PERFORM " + home + "." + BIND_FUNCTION + "(p_tenant, p_mode, p_issued, p_nonce, p_signature,"
                + " p_local);"
                + "   END IF;"
                + "   IF p_mode = 'r' THEN"
                + "     PERFORM pg_catalog.set_config(CASE WHEN p_local THEN 'transaction_read_only'"
                + " ELSE 'default_transaction_read_only' END, 'on', p_local);"
                + "   END IF;"
                + "   RETURN (SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_prepared_statements WHERE from_sql))::text"
                + "     || ',' || pg_catalog.pg_backend_pid();"
                + " END $fn$";
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
        // The schema as a parameter, not a literal: no other session reads a tenant's name in pg_stat_activity.
        path = BOUND_PATH.formatted("false");
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
                        + BOUND_PATH.formatted("true"),
                binding,
                key,
                true);
    }

    /** The search path as the binding's sixth parameter (session or {@code LOCAL}); answers no row value. */
    private static final String BOUND_PATH = "SELECT NULL FROM pg_catalog.set_config('search_path', ?, %s)";

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
                s.setString(6, Dialect.quote(binding.schema()) + ", pg_temp");
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
