package dev.tenancy.jdbc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a PostgreSQL login role that tenant SQL could use to get around isolation: one that is
 * (or may become) a superuser or has {@code BYPASSRLS}, so row-level security does not bind it;
 * one that owns (or may become the owner of) tables or schemas, so it could alter, disable or drop
 * what keeps tenants apart; and one that reaches a control-plane table ({@code tenancy.*}, or a
 * {@code tenancy_*} table outside tenants' schemas, where older versions kept them), so it could
 * read the catalog or write an invitation. Checked once per
 * database and login role, on the first connection borrowed there; the session user is checked,
 * not the current one, so a role a previous borrower {@code SET} changes nothing.
 */
final class ConnectionRoles {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionRoles.class);

    static final String CHECK = """
            WITH me AS (SELECT oid FROM pg_roles WHERE pg_has_role(session_user, oid, 'MEMBER'))
            SELECT session_user,
              (SELECT string_agg(quote_ident(rolname), ', ') FROM pg_roles WHERE oid IN (SELECT oid FROM me) AND rolsuper),
              (SELECT string_agg(quote_ident(rolname), ', ') FROM pg_roles WHERE oid IN (SELECT oid FROM me) AND rolbypassrls),
              (SELECT string_agg(x, ', ') FROM (SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS x
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relowner IN (SELECT oid FROM me) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                   AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' ORDER BY 1 LIMIT 3) o),
              (SELECT string_agg(quote_ident(nspname), ', ') FROM (SELECT nspname FROM pg_namespace
                 WHERE nspowner IN (SELECT oid FROM me) AND nspname NOT LIKE 'pg\\_%'
                   AND nspname <> 'information_schema' ORDER BY 1 LIMIT 3) s),
              (SELECT string_agg(x, ', ') FROM (SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS x
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE (n.nspname = 'tenancy' OR (c.relname LIKE 'tenancy\\_%' AND c.relname <> 'tenancy_seeded'
                        AND n.nspname NOT LIKE 't\\_%')) AND c.relkind IN ('r', 'p', 'v', 'm')
                   AND has_table_privilege(session_user, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE')
                 ORDER BY 1 LIMIT 3) p)
            """;

    private final boolean allowInsecure;
    private final Set<String> checked = ConcurrentHashMap.newKeySet();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private final Set<String> sharedWarned = ConcurrentHashMap.newKeySet();

    ConnectionRoles(boolean allowInsecure) {
        this.allowInsecure = allowInsecure;
    }

    /** Whether this database and role passed (or were let through) already. */
    boolean passed(DatabaseServer server, String database, String user) {
        return checked.contains(key(server, database, user));
    }

    private static String key(DatabaseServer server, String database, String user) {
        return server.name() + "/" + (database == null ? "" : database) + "/" + user;
    }

    /**
     * Checks {@code pooled}'s login role in {@code database} of {@code server} ({@code null}: its
     * main one), once per database and role while it passes.
     *
     * @throws SQLNonTransientConnectionException (SQLSTATE 28000) naming each problem and the fix,
     *     unless insecure roles were allowed, in which case they are logged at WARN once per server
     */
    void check(DatabaseServer server, String database, String user, Connection pooled) throws SQLException {
        String key = key(server, database, user);
        List<String> problems = problems(pooled);
        // An insecure role is warned about (or refused) below; large objects matter once the role is sound.
        if (problems.isEmpty() && ServerLockdown.largeObjectsOpen(pooled) && sharedWarned.add(server.name())) {
            LOG.warn(
                    "Tenants on server '{}' (role '{}') can create, read and overwrite large objects, which every"
                            + " tenant of a database shares; a superuser closes them, and other sessions' SQL text in"
                            + " pg_stat_activity, with ServerLockdown.apply(connection) in each database and template1",
                    server.name(),
                    user);
        }
        if (problems.isEmpty()) {
            checked.add(key);
            return;
        }
        String message = "Tenant connections to server '" + server.name() + "'"
                + (database == null ? "" : " (database " + database + ")") + " log in as role '" + user
                + "', which tenant SQL could use to reach other tenants' data or the platform's: "
                + String.join("; ", problems)
                + ". Connect tenants as a role that is neither superuser nor BYPASSRLS and owns nothing"
                + " (DatabaseServer.of(name, url, \"app\", secret).withOwner(\"tenancy_owner\", secret): the owner"
                + " creates and owns the tenants' tables), and keep the platform's tables (schema tenancy) under"
                + " the platform's own role; or accept the risk with TenantDataSource.Builder.allowInsecureRole()";
        if (!allowInsecure) {
            throw new SQLNonTransientConnectionException(message, "28000");
        }
        checked.add(key);
        if (warned.add(server.name() + "/" + user)) {
            LOG.warn(
                    "INSECURE (allowInsecureRole): tenants on server '{}' connect as role '{}', which tenant SQL can use"
                            + " to reach other tenants: {}",
                    server.name(),
                    user,
                    String.join("; ", problems));
        }
    }

    /** Ends whatever transaction a previous borrower left open, so that the check can run. */
    static void endTransaction(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("ROLLBACK");
        }
    }

    /** What is wrong with {@code connection}'s login role, in words; empty when nothing is. */
    static List<String> problems(Connection connection) throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery(CHECK)) {
            rs.next();
            if (rs.getString(2) != null) {
                problems.add("it is or can become superuser " + rs.getString(2)
                        + ", to which row-level security does not apply");
            }
            if (rs.getString(3) != null) {
                problems.add("it is or can become " + rs.getString(3) + ", which has BYPASSRLS");
            }
            if (rs.getString(4) != null) {
                problems.add("it owns " + rs.getString(4) + " (and may alter, disable or drop their policies)");
            }
            if (rs.getString(5) != null) {
                problems.add("it owns schema " + rs.getString(5) + " (and may drop what is in it)");
            }
            if (rs.getString(6) != null) {
                problems.add("it can read or write the platform's " + rs.getString(6));
            }
        }
        return problems;
    }
}
