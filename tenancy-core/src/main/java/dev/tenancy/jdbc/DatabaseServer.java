package dev.tenancy.jdbc;

import dev.tenancy.Tenant;
import java.util.Objects;

/**
 * A database server tenants are placed on: how to reach it and how large its pools may be.
 *
 * <p>{@code jdbcUrl} names the database that holds the shared tables and the tenant schemas of
 * this server. {@code databaseUrlTemplate} is the same server's URL with {@code {database}} where
 * a tenant's own database name goes, for database-per-tenant tenants; {@code null} when the server
 * hosts none.
 *
 * <pre>{@code
 * DatabaseServer.of("eu-1", "jdbc:postgresql://db-eu-1:5432/app", "app", secret)
 *         .withDatabaseUrlTemplate("jdbc:postgresql://db-eu-1:5432/{database}")
 *         .withMaximumPoolSize(20);
 * }</pre>
 *
 * @param name the placement name tenants refer to ({@link Tenant#server()})
 * @param jdbcUrl the server's shared database
 * @param username the user the application connects as (never a superuser, so that row-level
 *     security holds)
 * @param password the password, or empty
 * @param databaseUrlTemplate the URL of a tenant database, with {@code {database}}; or {@code null}
 * @param maximumPoolSize connections in the shared pool of this server
 * @param tenantPoolSize connections in each tenant-database pool on this server
 */
public record DatabaseServer(
        String name,
        String jdbcUrl,
        String username,
        String password,
        String databaseUrlTemplate,
        int maximumPoolSize,
        int tenantPoolSize) {

    /** The placeholder of {@link #databaseUrlTemplate()}. */
    public static final String DATABASE_PLACEHOLDER = "{database}";

    public DatabaseServer {
        Tenant.requireKey("server name", name);
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith("jdbc:")) {
            throw new IllegalArgumentException("Server '" + name + "' needs a JDBC URL, was '" + jdbcUrl + "'");
        }
        Objects.requireNonNull(username, "username");
        password = password == null ? "" : password;
        if (databaseUrlTemplate != null && !databaseUrlTemplate.contains(DATABASE_PLACEHOLDER)) {
            throw new IllegalArgumentException("Server '" + name + "': the database URL template '"
                    + databaseUrlTemplate + "' must contain " + DATABASE_PLACEHOLDER);
        }
        if (maximumPoolSize < 1 || tenantPoolSize < 1) {
            throw new IllegalArgumentException("Server '" + name + "': pool sizes must be at least 1, were "
                    + maximumPoolSize + " and " + tenantPoolSize);
        }
    }

    /** A server with a shared pool of 10 and tenant-database pools of 2, hosting no tenant databases. */
    public static DatabaseServer of(String name, String jdbcUrl, String username, String password) {
        return new DatabaseServer(name, jdbcUrl, username, password, null, 10, 2);
    }

    public DatabaseServer withDatabaseUrlTemplate(String template) {
        return new DatabaseServer(name, jdbcUrl, username, password, template, maximumPoolSize, tenantPoolSize);
    }

    public DatabaseServer withMaximumPoolSize(int size) {
        return new DatabaseServer(name, jdbcUrl, username, password, databaseUrlTemplate, size, tenantPoolSize);
    }

    public DatabaseServer withTenantPoolSize(int size) {
        return new DatabaseServer(name, jdbcUrl, username, password, databaseUrlTemplate, maximumPoolSize, size);
    }

    /** The URL of database {@code database} on this server. */
    public String databaseUrl(String database) {
        if (databaseUrlTemplate == null) {
            throw new IllegalStateException("Server '" + name
                    + "' hosts no tenant databases: give it a database URL template with " + DATABASE_PLACEHOLDER);
        }
        return databaseUrlTemplate.replace(DATABASE_PLACEHOLDER, database);
    }

    @Override
    public String toString() {
        return "DatabaseServer[" + name + ", " + jdbcUrl + ", user=" + username + "]";
    }
}
