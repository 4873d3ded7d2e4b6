package dev.tenancy.jdbc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Closes, in one PostgreSQL database, what every role reaches by default and tenants sharing the
 * database must not share:
 *
 * <ul>
 *   <li><b>Large objects.</b> They belong to the database, not to a schema or a tenant: any role may
 *       create one (even in a read-only transaction) and, with one application role for every tenant,
 *       read and overwrite every other tenant's. The {@code lo_*} functions ({@code lo_from_bytea},
 *       {@code lo_get}, {@code lo_put}, {@code lo_open}...) and {@code pg_largeobject_metadata} are
 *       taken from {@code PUBLIC}: tenants keep binary data in {@code bytea} columns instead.
 *   <li><b>Other sessions' SQL.</b> {@code pg_stat_activity} shows every session of the same role
 *       with its query text, literals included, so one tenant reads what another sends. It (and the
 *       functions behind it) are taken from {@code PUBLIC}; monitoring roles keep it through {@code
 *       pg_read_all_stats} or {@code pg_monitor}.
 * </ul>
 *
 * <p>Those objects belong to the bootstrap superuser, so only a superuser can do this; run it in
 * every database tenants use, and in {@code template1} so that databases created later (database-per-
 * tenant) inherit it. Idempotent. Without a superuser, give {@link #script()} to whoever has one.
 * {@link TenantDataSource} warns, once per database, while large objects are open to tenants.
 */
public final class ServerLockdown {
    private ServerLockdown() {}

    /** The functions behind large objects and other sessions' activity, in this database. */
    private static final String FUNCTIONS = "SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p"
            + " WHERE p.pronamespace = 'pg_catalog'::regnamespace"
            + " AND (p.proname LIKE 'lo\\_%' OR p.proname IN ('loread', 'lowrite', 'pg_stat_get_activity'))"
            + " ORDER BY 1";

    /**
     * Applies the lockdown to {@code superuser}'s current database and returns the statements it
     * ran.
     *
     * @throws SQLException (SQLSTATE 42501) when the connection is not a superuser's
     */
    public static List<String> apply(Connection superuser) throws SQLException {
        List<String> statements = statements(superuser);
        inOneTransaction(superuser, statements);
        return statements;
    }

    /** Runs {@code statements} on {@code c} in one transaction, rolled back on failure; auto-commit restored. */
    static void inOneTransaction(Connection c, List<String> statements) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    /** The statements {@link #apply} runs in {@code connection}'s database, for a superuser to run by hand. */
    public static List<String> statements(Connection connection) throws SQLException {
        List<String> statements = new ArrayList<>();
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery(FUNCTIONS)) {
            while (rs.next()) {
                statements.add("REVOKE EXECUTE ON FUNCTION pg_catalog." + rs.getString(1) + " FROM PUBLIC");
            }
        }
        statements.add("REVOKE SELECT ON pg_catalog.pg_largeobject_metadata FROM PUBLIC");
        statements.add("REVOKE SELECT ON pg_catalog.pg_stat_activity FROM PUBLIC");
        return statements;
    }

    /**
     * A script a superuser runs with {@code psql -d <database>} in each database (and {@code
     * template1}): the same revocations, found by name at run time.
     */
    public static String script() {
        return """
                DO $$
                DECLARE f regprocedure;
                BEGIN
                  FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
                           WHERE p.pronamespace = 'pg_catalog'::regnamespace
                             AND (p.proname LIKE 'lo\\_%' OR p.proname IN ('loread', 'lowrite', 'pg_stat_get_activity'))
                  LOOP
                    EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
                  END LOOP;
                END $$;
                REVOKE SELECT ON pg_catalog.pg_largeobject_metadata FROM PUBLIC;
                REVOKE SELECT ON pg_catalog.pg_stat_activity FROM PUBLIC;
                """;
    }

    /** Whether {@code connection}'s login role can create large objects in its database. */
    static boolean largeObjectsOpen(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT has_function_privilege(session_user, 'pg_catalog.lo_from_bytea(oid, bytea)', 'EXECUTE')")) {
            return rs.next() && rs.getBoolean(1);
        }
    }
}
