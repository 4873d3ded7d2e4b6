package dev.tenancy.internal;

import dev.tenancy.StorageException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * Installs and upgrades Tenancy's control-plane tables ({@code tenancy.tenancy_*}) in the platform
 * database with Flyway: versioned scripts, a history table of their own ({@code
 * tenancy.tenancy_schema_history}), a lock so that nodes starting together install once, and
 * nothing done when everything is current. Internal; stores call it from their builders.
 *
 * <p>The tables live in schema {@value #SCHEMA} of their own, created by the platform's database
 * user, which owns them: no tenant table shares it, {@code TenantStorage} grants the application's
 * role nothing in it, and {@code TenantDataSource} refuses a tenant connection that can reach it.
 */
public final class ControlPlaneSchema {
    /** The schema holding every control-plane table. */
    public static final String SCHEMA = "tenancy";

    private ControlPlaneSchema() {}

    /** Brings {@code dataSource}'s current schema up to date; safe to call from every node at start. */
    public static void install(DataSource dataSource) {
        install(dataSource, ControlPlaneSchema.class.getClassLoader(), "dev/tenancy/db/core", "tenancy_schema_history");
    }

    /**
     * Brings the tables of one Tenancy module up to date: its scripts under {@code location} on
     * {@code loader}'s class path, its own history table, so modules install independently.
     */
    public static void install(DataSource dataSource, ClassLoader loader, String location, String historyTable) {
        try {
            Flyway.configure(loader)
                    .dataSource(dataSource)
                    .schemas(schemaName(dataSource))
                    .locations("classpath:" + location)
                    .table(historyTable)
                    .baselineOnMigrate(true)
                    .baselineVersion("0")
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            throw new StorageException(
                    "Could not install Tenancy's control-plane tables: " + e.getMessage()
                            + ". The platform's database user needs CREATE on the database (for schema "
                            + SCHEMA + ") or to own that schema.",
                    e);
        }
    }

    /** {@value #SCHEMA} as the database folds it: upper case on H2, whose unquoted names are. */
    private static String schemaName(DataSource dataSource) {
        try (java.sql.Connection c = dataSource.getConnection()) {
            return c.getMetaData().storesUpperCaseIdentifiers() ? SCHEMA.toUpperCase(java.util.Locale.ROOT) : SCHEMA;
        } catch (java.sql.SQLException e) {
            throw new StorageException("Could not reach the platform database to install Tenancy's tables", e);
        }
    }
}
