package dev.tenancy.jdbc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The PostgreSQL roles of the recommended set-up for one server, created by an administrator: the
 * server's owner ({@link DatabaseServer#withOwner}), which creates and owns every tenant table and
 * database, and the application role tenants connect as ({@link DatabaseServer#username()}),
 * neither superuser nor {@code BYPASSRLS}, owning nothing, so that row-level security and the
 * schema policy bind every tenant's SQL; and the read-only role when the server has one. {@link
 * #statements} is the script for a DBA; {@link #create} runs it, for a demo or a development
 * database, as a role allowed to create roles.
 *
 * <pre>{@code
 * DatabaseServer server = DatabaseServer.of("eu-1", url, "tenancy_app", appSecret)
 *         .withOwner("tenancy_owner", ownerSecret);
 * DatabaseRoles.create(adminConnection, server);   // or run DatabaseRoles.statements(server, "app")
 * }</pre>
 */
public final class DatabaseRoles {
    private DatabaseRoles() {}

    /**
     * The statements creating {@code server}'s roles (those missing) and giving the owner {@code
     * database}: it may create schemas in it (tenants' and {@code tenancy_binding}) and databases
     * (database-per-tenant), and owns its {@code public} schema (for shared tables, and to grant its
     * use to the application role). Idempotent.
     *
     * @throws IllegalStateException when the server has no owner of its own
     */
    public static List<String> statements(DatabaseServer server, String database) {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(database, "database");
        if (!server.hasSeparateOwner()) {
            throw new IllegalStateException("Server '" + server.name() + "' has no owner of its own: the recommended"
                    + " set-up needs one, DatabaseServer.withOwner(\"tenancy_owner\", secret)");
        }
        List<String> out = new ArrayList<>();
        out.add(createRole(server.ownerUsername(), server.ownerPassword(), "CREATEDB"));
        out.add(createRole(server.username(), server.password(), "NOCREATEDB"));
        if (server.hasReadOnlyUser()) {
            out.add(createRole(server.readOnlyUsername(), server.readOnlyPassword(), "NOCREATEDB"));
        }
        String owner = Dialect.quote(server.ownerUsername());
        out.add("GRANT CREATE, CONNECT, TEMPORARY ON DATABASE " + Dialect.quote(database) + " TO " + owner);
        out.add("ALTER SCHEMA public OWNER TO " + owner);
        return out;
    }

    /**
     * Runs {@link #statements} on {@code admin}'s database (a superuser, or a role with {@code
     * CREATEROLE} that owns the database).
     *
     * @throws SQLException naming what the administrator must run instead when it may not
     */
    public static void create(Connection admin, DatabaseServer server) throws SQLException {
        String database;
        try (Statement s = admin.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_database()")) {
            rs.next();
            database = rs.getString(1);
        }
        List<String> statements = statements(server, database);
        try {
            ServerLockdown.inOneTransaction(admin, statements);
        } catch (SQLException e) {
            throw new SQLException(
                    "Could not create the roles of server '" + server.name() + "' (" + e.getMessage()
                            + "); as a superuser, run in database " + database + ":\n"
                            + String.join(
                                    ";\n",
                                    statements.stream()
                                            .map(DatabaseRoles::redacted)
                                            .toList()) + ";",
                    e.getSQLState(),
                    e);
        }
    }

    /** {@code CREATE ROLE name LOGIN ...} unless it exists; its attributes set either way. */
    private static String createRole(String name, String password, String createdb) {
        String quoted = Dialect.quote(name);
        String attributes = "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOREPLICATION " + createdb
                + (password == null || password.isEmpty() ? "" : " PASSWORD " + literal(password));
        return "DO $$ BEGIN CREATE ROLE " + quoted + " " + attributes + ";"
                + " EXCEPTION WHEN duplicate_object OR unique_violation THEN ALTER ROLE " + quoted + " " + attributes
                + "; END $$";
    }

    private static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** {@code sql} with any password literal replaced, for error messages and logs. */
    private static String redacted(String sql) {
        return sql.replaceAll("PASSWORD '(?:[^']|'')*'", "PASSWORD '...'");
    }
}
