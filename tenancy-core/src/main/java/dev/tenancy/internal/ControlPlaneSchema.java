package dev.tenancy.internal;

import dev.tenancy.StorageException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * Installs and upgrades Tenancy's control-plane tables ({@code tenancy_*}) in the platform
 * database with Flyway: versioned scripts, a history table of their own ({@code
 * tenancy_schema_history}), a lock so that nodes starting together install once, and nothing
 * done when everything is current. Internal; stores call it from their builders.
 */
public final class ControlPlaneSchema {
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
                    .locations("classpath:" + location)
                    .table(historyTable)
                    .baselineOnMigrate(true)
                    .baselineVersion("0")
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            throw new StorageException(
                    "Could not install Tenancy's control-plane tables: " + e.getMessage()
                            + ". The database user needs CREATE on the current schema.",
                    e);
        }
    }
}
