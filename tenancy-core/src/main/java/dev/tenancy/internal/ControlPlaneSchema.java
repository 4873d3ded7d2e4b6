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
        try {
            Flyway.configure(ControlPlaneSchema.class.getClassLoader())
                    .dataSource(dataSource)
                    .locations("classpath:dev/tenancy/db/core")
                    .table("tenancy_schema_history")
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
