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
 * @param ownerUsername the user that creates, migrates and drops tenant schemas and databases
 *     ({@link TenantStorage}); the application's own user unless {@link #withOwner} names another
 * @param ownerPassword the owner's password, or empty
 * @param transactionPooling whether connections reach the server through a transaction-pooling
 *     proxy (PgBouncer's {@code pool_mode = transaction}, RDS Proxy, Supavisor, Neon's pooled
 *     endpoint), where nothing set on a session survives its transaction: see {@link
 *     #withTransactionPooling()}
 * @param readOnlyUsername the user read-only work connects as (see {@link #withReadOnlyUser}), or
 *     {@code null}
 * @param readOnlyPassword its password, or empty
 */
public record DatabaseServer(
        String name,
        String jdbcUrl,
        String username,
        String password,
        String databaseUrlTemplate,
        int maximumPoolSize,
        int tenantPoolSize,
        String ownerUsername,
        String ownerPassword,
        boolean transactionPooling,
        String readOnlyUsername,
        String readOnlyPassword) {

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
        if (ownerUsername == null) {
            ownerUsername = username;
            ownerPassword = password;
        }
        ownerPassword = ownerPassword == null ? "" : ownerPassword;
        readOnlyPassword = readOnlyPassword == null ? "" : readOnlyPassword;
        if (databaseUrlTemplate != null && !databaseUrlTemplate.contains(DATABASE_PLACEHOLDER)) {
            throw new IllegalArgumentException("Server '" + name + "': the database URL template '"
                    + databaseUrlTemplate + "' must contain " + DATABASE_PLACEHOLDER);
        }
        if (transactionPooling) {
            jdbcUrl = unnamedStatements(jdbcUrl);
            databaseUrlTemplate = databaseUrlTemplate == null ? null : unnamedStatements(databaseUrlTemplate);
        }
        if (maximumPoolSize < 1 || tenantPoolSize < 1) {
            throw new IllegalArgumentException("Server '" + name + "': pool sizes must be at least 1, were "
                    + maximumPoolSize + " and " + tenantPoolSize);
        }
    }

    /** A server with a shared pool of 10 and tenant-database pools of 2, hosting no tenant databases. */
    public static DatabaseServer of(String name, String jdbcUrl, String username, String password) {
        return new DatabaseServer(name, jdbcUrl, username, password, null, 10, 2, null, null, false, null, null);
    }

    /**
     * The same server with tenant schemas and databases owned by {@code ownerUsername}: {@link
     * TenantStorage} (provisioning, migrations, offboarding) connects as it, and on PostgreSQL grants
     * the application's user the use of what it creates (schema usage, SELECT, INSERT, UPDATE and
     * DELETE on its tables and USAGE on its sequences, those created later included). The
     * application then owns none of the tenants' tables, which is what row-level security needs to
     * bind it: see
     * {@link RowLevelSecurity#onSchemaOf}, which provisioning and fleet migrations apply to schema
     * tenants on such a server.
     */
    public DatabaseServer withOwner(String ownerUsername, String ownerPassword) {
        Objects.requireNonNull(ownerUsername, "owner username");
        return new DatabaseServer(
                name,
                jdbcUrl,
                username,
                password,
                databaseUrlTemplate,
                maximumPoolSize,
                tenantPoolSize,
                ownerUsername,
                ownerPassword,
                transactionPooling,
                readOnlyUsername,
                readOnlyPassword);
    }

    /** Whether tenant storage is owned by a user other than the application's ({@link #withOwner}). */
    public boolean hasSeparateOwner() {
        return !ownerUsername.equals(username);
    }

    public DatabaseServer withDatabaseUrlTemplate(String template) {
        return new DatabaseServer(
                name,
                jdbcUrl,
                username,
                password,
                template,
                maximumPoolSize,
                tenantPoolSize,
                ownerUsername,
                ownerPassword,
                transactionPooling,
                readOnlyUsername,
                readOnlyPassword);
    }

    public DatabaseServer withMaximumPoolSize(int size) {
        return new DatabaseServer(
                name,
                jdbcUrl,
                username,
                password,
                databaseUrlTemplate,
                size,
                tenantPoolSize,
                ownerUsername,
                ownerPassword,
                transactionPooling,
                readOnlyUsername,
                readOnlyPassword);
    }

    public DatabaseServer withTenantPoolSize(int size) {
        return new DatabaseServer(
                name,
                jdbcUrl,
                username,
                password,
                databaseUrlTemplate,
                maximumPoolSize,
                size,
                ownerUsername,
                ownerPassword,
                transactionPooling,
                readOnlyUsername,
                readOnlyPassword);
    }

    /**
     * The same server reached through a transaction-pooling proxy (PgBouncer in {@code pool_mode =
     * transaction}, and by the same design RDS Proxy, Supavisor or Neon's pooled endpoint), where
     * consecutive transactions of one connection may run on different server processes and nothing
     * set on a session survives its transaction. Every transaction is then reset and bound on its
     * own ({@code SET LOCAL}, {@code set_config(..., true)}, sent with its {@code BEGIN}), statements
     * in auto-commit run each in a transaction of their own, and pgJDBC uses unnamed statements only
     * ({@code prepareThreshold=0}, which PgBouncer before 1.21 needs). Costs a round trip more per
     * transaction than a direct connection, and a {@code COMMIT} per statement in auto-commit (the
     * figures are in {@code BENCHMARKS.md}). Known limits: in auto-commit, a statement's result set
     * must be read within its own fetch (a fetch size smaller than the result fails at the next
     * batch, its cursor gone with the transaction: read large results in a transaction); {@code
     * LISTEN} (the library's change notifications) needs a session of its own, so point the
     * platform's data source at the server or at a pooler in session mode.
     */
    public DatabaseServer withTransactionPooling() {
        return new DatabaseServer(
                name,
                jdbcUrl,
                username,
                password,
                databaseUrlTemplate,
                maximumPoolSize,
                tenantPoolSize,
                ownerUsername,
                ownerPassword,
                true,
                readOnlyUsername,
                readOnlyPassword);
    }

    /**
     * A PostgreSQL URL with {@code prepareThreshold=0} unless it sets one: pgJDBC then uses unnamed
     * statements only, which any server process behind a transaction pooler can run (named ones
     * exist on one process only; PgBouncer tracks them from 1.21). Every connection to the server
     * gets it, those that tools such as Flyway open from this URL included.
     */
    private static String unnamedStatements(String url) {
        if (!url.startsWith("jdbc:postgresql:") || url.contains("prepareThreshold=")) {
            return url;
        }
        return url + (url.contains("?") ? "&" : "?") + "prepareThreshold=0";
    }

    /**
     * The same server with read-only work (archived tenants, read-only scopes and impersonations,
     * tenants being moved) connecting as {@code username}, a login role with read privileges only,
     * on PostgreSQL. Read-only then holds whatever the session's SQL does: the session's own
     * read-only setting can be switched off ({@code SET default_transaction_read_only = off}, {@code
     * BEGIN READ WRITE}), and row-level security covers tables but not sequences; a role without
     * write privileges cannot advance a sequence or change a row whatever it sets. Needs an owner
     * of its own ({@link #withOwner}), whose provisioning grants this role {@code SELECT} on the
     * tenants' tables and sequences (never {@code USAGE}, which {@code nextval} needs). Create it
     * once, e.g. {@code CREATE ROLE app_read LOGIN PASSWORD '...' NOSUPERUSER NOBYPASSRLS}.
     */
    public DatabaseServer withReadOnlyUser(String username, String password) {
        Objects.requireNonNull(username, "read-only username");
        return new DatabaseServer(
                name,
                jdbcUrl,
                this.username,
                this.password,
                databaseUrlTemplate,
                maximumPoolSize,
                tenantPoolSize,
                ownerUsername,
                ownerPassword,
                transactionPooling,
                username,
                password);
    }

    /** Whether read-only work connects as a user of its own ({@link #withReadOnlyUser}). */
    public boolean hasReadOnlyUser() {
        return readOnlyUsername != null;
    }

    /** This server as its read-only user sees it: the same, connecting as that user. */
    DatabaseServer asReadOnlyUser() {
        if (!hasReadOnlyUser()) {
            throw new IllegalStateException("Server '" + name + "' has no read-only user: see withReadOnlyUser");
        }
        return new DatabaseServer(
                name,
                jdbcUrl,
                readOnlyUsername,
                readOnlyPassword,
                databaseUrlTemplate,
                maximumPoolSize,
                tenantPoolSize,
                ownerUsername,
                ownerPassword,
                transactionPooling,
                readOnlyUsername,
                readOnlyPassword);
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
        return "DatabaseServer[" + name + ", " + jdbcUrl + ", user=" + username
                + (hasSeparateOwner() ? ", owner=" + ownerUsername : "")
                + (transactionPooling ? ", transaction pooling" : "")
                + (hasReadOnlyUser() ? ", read-only user=" + readOnlyUsername : "") + "]";
    }
}
