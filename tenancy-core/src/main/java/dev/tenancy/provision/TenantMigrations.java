package dev.tenancy.provision;

import dev.tenancy.IsolationModel;
import dev.tenancy.Tenant;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.TenantStorage;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The host application's migrations run with Flyway in one tenant's storage: the history table
 * ({@value TenantStorage#MIGRATION_HISTORY}) lives in the tenant's schema or database, the
 * locations are the host's, and {@code ${tenant_id}} is available as a placeholder. Shared-model
 * tenants have no storage of their own: their tables are migrated once per server ({@link
 * #migrateShared}), from locations of their own.
 */
final class TenantMigrations {
    private final String[] locations;
    private final ClassLoader classLoader;

    TenantMigrations(List<String> locations, ClassLoader classLoader) {
        this.locations = locations.toArray(String[]::new);
        this.classLoader = classLoader;
    }

    /**
     * {@code locations} as a list, refused with a message naming {@code what} when one is null or
     * blank (Flyway would otherwise fail later, at the first tenant).
     */
    static List<String> requireLocations(String what, String... locations) {
        for (String location : locations) {
            if (location == null || location.isBlank()) {
                throw new IllegalArgumentException("A " + what + " location is "
                        + (location == null ? "null" : "blank")
                        + ": give Flyway locations such as classpath:db/tenant or filesystem:/opt/app/sql");
            }
        }
        return List.of(locations);
    }

    boolean isEmpty() {
        return locations.length == 0;
    }

    /** Migrates {@code tenant}'s storage; the version it is at afterwards, or {@code null} if none. */
    String migrate(TenantStorage storage, Tenant tenant) {
        if (isEmpty() || tenant.isolation() == IsolationModel.SHARED) {
            return null;
        }
        Flyway flyway = configure(storage, tenant).load();
        flyway.migrate();
        MigrationInfo current = flyway.info().current();
        return current == null || current.getVersion() == null
                ? null
                : current.getVersion().getVersion();
    }

    /**
     * Migrates the shared model's tables on {@code storage}'s server: its default schema, with the
     * history in {@value TenantStorage#SHARED_MIGRATION_HISTORY} there, as the server's owner. A schema that
     * already holds tables (the control plane's, when the platform database is also a tenant
     * server) but no history is baselined at version 0, so every migration still runs. Afterwards
     * the application is granted the new tables ({@link TenantStorage#grantSharedTables()}) and
     * {@code secured} are put under row-level security ({@link TenantStorage#applyRowLevelSecurity}).
     *
     * @return what ran; {@code null} when the locations hold no migration (nothing is created then)
     */
    SharedRun migrateShared(TenantStorage storage, java.util.List<SharedTable> secured) throws java.sql.SQLException {
        if (isEmpty()) {
            return null;
        }
        DatabaseServer server = storage.server();
        Flyway flyway = Flyway.configure(classLoader)
                .dataSource(server.jdbcUrl(), server.ownerUsername(), server.ownerPassword())
                .locations(locations)
                .table(TenantStorage.SHARED_MIGRATION_HISTORY)
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .baselineDescription(
                        "tables present before the shared migrations") // no quote: Flyway does not escape it
                .load();
        if (flyway.info().all().length == 0) {
            return null;
        }
        MigrateResult result = flyway.migrate();
        storage.grantSharedTables();
        for (SharedTable table : secured) {
            storage.applyRowLevelSecurity(table.table(), table.tenantColumn());
        }
        MigrationInfo current = flyway.info().current();
        String version = current == null || current.getVersion() == null
                ? null
                : current.getVersion().getVersion();
        return new SharedRun(version, result.migrationsExecuted);
    }

    /** What {@link #migrateShared} did on one server: the version it is at, and how many migrations it ran. */
    record SharedRun(String version, int executed) {}

    /** Removes failed entries from {@code tenant}'s migration history (Flyway's repair), after a fix by hand. */
    void repair(TenantStorage storage, Tenant tenant) {
        if (!isEmpty() && tenant.isolation() != IsolationModel.SHARED) {
            configure(storage, tenant).load().repair();
        }
    }

    /**
     * The newest version among the host's migrations, read from the locations (through {@code
     * platform}, which Flyway needs a connection to; nothing is written there).
     */
    String target(DataSource platform) {
        if (isEmpty()) {
            return null;
        }
        MigrationInfo[] all = Flyway.configure(classLoader)
                .dataSource(platform)
                .locations(locations)
                .table("tenancy_unused_history")
                .load()
                .info()
                .all();
        return Arrays.stream(all)
                .filter(m -> m.getVersion() != null)
                .map(MigrationInfo::getVersion)
                .max(Comparable::compareTo)
                .map(v -> v.getVersion())
                .orElse(null);
    }

    private FluentConfiguration configure(TenantStorage storage, Tenant tenant) {
        FluentConfiguration configuration = Flyway.configure(classLoader)
                .dataSource(
                        storage.url(tenant),
                        storage.server().ownerUsername(),
                        storage.server().ownerPassword())
                .locations(locations)
                .table(TenantStorage.MIGRATION_HISTORY)
                .placeholders(Map.of("tenant_id", tenant.id().value()));
        if (tenant.isolation() == IsolationModel.SCHEMA) {
            String schema = storage.schema(tenant);
            configuration.schemas(schema).defaultSchema(schema);
        }
        return configuration;
    }
}
