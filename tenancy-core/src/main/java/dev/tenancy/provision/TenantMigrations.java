package dev.tenancy.provision;

import dev.tenancy.IsolationModel;
import dev.tenancy.Tenant;
import dev.tenancy.jdbc.TenantStorage;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * The host application's migrations run with Flyway in one tenant's storage: the history table
 * ({@value TenantStorage#MIGRATION_HISTORY}) lives in the tenant's schema or database, the
 * locations are the host's, and {@code ${tenant_id}} is available as a placeholder. Shared-model
 * tenants have no storage of their own; the host migrates the shared tables once.
 */
final class TenantMigrations {
    private final String[] locations;
    private final ClassLoader classLoader;

    TenantMigrations(List<String> locations, ClassLoader classLoader) {
        this.locations = locations.toArray(String[]::new);
        this.classLoader = classLoader;
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
