package dev.tenancy.provision;

import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.TenantStatus;
import dev.tenancy.UnknownTenantException;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.jdbc.TenantStorage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Creates a tenant's storage, runs the host's migrations and seed in it, and only then activates
 * it. Each completed step is recorded in the platform database; an error or a crash midway leaves
 * the tenant not active, and calling {@link #provision} again resumes after the last recorded step
 * (every step is idempotent besides, so a step done but not yet recorded is safely repeated). A
 * lease makes sure two provisionings of one tenant never run at once: the second fails with
 * {@link ProvisioningInProgressException} until the first finishes or its lease expires.
 *
 * <pre>{@code
 * TenantProvisioner provisioner = TenantProvisioner.builder()
 *         .catalog(catalog)
 *         .dataSource(tenantDataSource)          // the servers tenants are placed on
 *         .platform(platformDataSource)          // where the provisioning ledger lives
 *         .migrations("classpath:db/tenant")     // the host's Flyway locations, per tenant
 *         .sharedMigrations("classpath:db/shared") // and for the shared model's tables, per server
 *         .seed((tenant, connection) -> insertSampleData(connection))
 *         .build();
 * provisioner.provision(TenantId.of("acme"), actor);
 * }</pre>
 *
 * <p>Schema-per-tenant gets {@code CREATE SCHEMA}; database-per-tenant gets {@code CREATE DATABASE}
 * (from a {@linkplain Builder#templateDatabase template} on PostgreSQL, the fast path);
 * shared-model tenants need no DDL and no migrations of their own, but the shared tables on their
 * server are brought to the newest {@linkplain Builder#sharedMigrations shared migration} before
 * the first one there is seeded. On PostgreSQL, on a server with
 * an owner of its own ({@link dev.tenancy.jdbc.DatabaseServer#withOwner}), the application is
 * granted the tenant's tables and a schema tenant's tables are closed to other tenants' sessions
 * before it is activated ({@link TenantStorage#applyAccessControl}). Thread-safe.
 */
public final class TenantProvisioner {
    private final TenantCatalog catalog;
    private final TenantDataSource dataSource;
    private final Ledger ledger;
    private final TenantMigrations migrations;
    private final TenantMigrations sharedMigrations;
    private final List<SharedTable> secured;
    private final DataSource platform;
    /** Whether the tenant migration locations hold a versioned migration; read once, at the first tenant. */
    private volatile Boolean tenantMigrationsFound;
    /** Servers whose shared tables this provisioner has brought to the newest shared migration. */
    private final Set<String> sharedCurrent = ConcurrentHashMap.newKeySet();

    private final TenantSeed seed;
    private final String templateDatabase;
    private final Duration lease;
    private final ProvisioningListener listener;
    private final String owner;

    private TenantProvisioner(Builder b) {
        this.catalog = b.catalog;
        this.dataSource = b.dataSource;
        this.ledger = new Ledger(b.platform, b.clock);
        this.migrations = new TenantMigrations(b.migrations, b.classLoader);
        this.sharedMigrations = new TenantMigrations(b.sharedMigrations, b.classLoader);
        this.secured = List.copyOf(b.secured);
        this.platform = b.platform;
        this.seed = b.seed;
        this.templateDatabase = b.templateDatabase;
        this.lease = b.lease;
        this.listener = b.listener;
        this.owner = "provisioner-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Provisions {@code id} (registered, pending approval) through to active, resuming where an
     * earlier attempt stopped; a tenant already provisioned and active is left as it is.
     *
     * @return the tenant, active
     * @throws UnknownTenantException when the catalog has no such tenant
     * @throws IllegalStateException when the tenant is in a status provisioning does not apply to
     * @throws ProvisioningInProgressException when another provisioning of it is running
     * @throws ProvisioningException when a step fails; the tenant is not active
     */
    public Tenant provision(TenantId id, Actor actor) {
        Objects.requireNonNull(actor, "actor");
        Tenant tenant = require(id);
        ProvisioningStep done = ledger.completed(id);
        if (tenant.status() == TenantStatus.ACTIVE && done == ProvisioningStep.ACTIVATION) {
            return tenant;
        }
        if (tenant.status() != TenantStatus.PENDING_APPROVAL && tenant.status() != TenantStatus.ACTIVE) {
            throw new IllegalStateException(
                    "Tenant '" + id + "' is " + tenant.status().key()
                            + "; only tenants pending approval are provisioned (restore or register it first)");
        }
        ledger.acquire(id, owner, lease);
        ProvisioningStep step = done == null ? ProvisioningStep.STORAGE : done.next();
        try {
            for (; step != null; step = step.next()) {
                tenant = require(id);
                run(step, tenant, actor);
                listener.stepDone(id, step);
                ledger.complete(id, step, owner);
            }
        } catch (RuntimeException | SQLException e) {
            ledger.release(id, owner, step + ": " + e.getMessage());
            throw new ProvisioningException(id, step, e);
        }
        ledger.release(id, owner, null);
        return require(id);
    }

    /** The last step recorded for {@code id}, or empty if provisioning never completed one. */
    public Optional<ProvisioningStep> progress(TenantId id) {
        return Optional.ofNullable(ledger.completed(id));
    }

    /** The error the last failed attempt recorded for {@code id}, or empty. */
    public Optional<String> lastError(TenantId id) {
        return Optional.ofNullable(ledger.lastError(id));
    }

    private void run(ProvisioningStep step, Tenant tenant, Actor actor) throws SQLException {
        TenantStorage storage = dataSource.storage(tenant);
        switch (step) {
            case STORAGE -> storage.create(tenant, templateDatabase);
            case MIGRATIONS -> {
                if (tenant.isolation() == IsolationModel.SHARED) {
                    migrateSharedTables(storage);
                } else {
                    String version = tenantMigrationsFound() ? migrations.migrate(storage, tenant) : null;
                    ledger.recordMigration(tenant.id(), version, Ledger.CURRENT, null);
                }
            }
            case SEED -> {
                if (tenant.isolation() == IsolationModel.SHARED) {
                    migrateSharedTables(storage); // also when resuming a provisioning begun without them
                }
                seedOnce(storage, tenant);
            }
            case ACTIVATION -> {
                storage.applyAccessControl(tenant); // every table is there now, the seed's too
                if (tenant.status() != TenantStatus.ACTIVE) {
                    catalog.transition(tenant.id(), TenantStatus.ACTIVE, actor, "provisioned");
                }
            }
        }
    }

    /** Without a versioned migration at the locations, a tenant gets no (empty) history table either. */
    private boolean tenantMigrationsFound() {
        Boolean found = tenantMigrationsFound;
        if (found == null) {
            found = migrations.target(platform) != null;
            tenantMigrationsFound = found;
        }
        return found;
    }

    /** The shared model's tables on the tenant's server, once per server and provisioner (Flyway locks concurrent runs). */
    private void migrateSharedTables(TenantStorage storage) throws SQLException {
        String server = storage.server().name();
        if (!sharedCurrent.contains(server)) {
            sharedMigrations.migrateShared(storage, secured);
            sharedCurrent.add(server);
        }
    }

    /** The seed and its marker row commit together, so a repeated step never seeds twice. */
    private void seedOnce(TenantStorage storage, Tenant tenant) throws SQLException {
        try (Connection c = storage.connect(tenant)) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + TenantStorage.SEED_MARKER
                        + " (tenant_id VARCHAR(48) PRIMARY KEY)");
            }
            c.setAutoCommit(false);
            try {
                try (PreparedStatement s = c.prepareStatement(
                        "SELECT COUNT(*) FROM " + TenantStorage.SEED_MARKER + " WHERE tenant_id = ?")) {
                    s.setString(1, tenant.id().value());
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        if (rs.getInt(1) > 0) {
                            c.rollback();
                            return;
                        }
                    }
                }
                seed.seed(tenant, c);
                try (PreparedStatement s =
                        c.prepareStatement("INSERT INTO " + TenantStorage.SEED_MARKER + " (tenant_id) VALUES (?)")) {
                    s.setString(1, tenant.id().value());
                    s.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private Tenant require(TenantId id) {
        return catalog.find(id).orElseThrow(() -> new UnknownTenantException(id.value()));
    }

    /** Called after each step's work, before it is recorded; tests use it to inject crashes. */
    @FunctionalInterface
    public interface ProvisioningListener {
        void stepDone(TenantId tenant, ProvisioningStep step);
    }

    /** Builds a {@link TenantProvisioner}. */
    public static final class Builder {
        private TenantCatalog catalog;
        private TenantDataSource dataSource;
        private DataSource platform;
        private final List<String> migrations = new ArrayList<>();
        private final List<String> sharedMigrations = new ArrayList<>();
        private final List<SharedTable> secured = new ArrayList<>();
        private ClassLoader classLoader = TenantProvisioner.class.getClassLoader();
        private TenantSeed seed = TenantSeed.none();
        private String templateDatabase;
        private Duration lease = Duration.ofMinutes(10);
        private ProvisioningListener listener = (tenant, step) -> {};
        private InstantSource clock = InstantSource.system();

        private Builder() {}

        /** The catalog tenants are read from and activated in; required. */
        public Builder catalog(TenantCatalog catalog) {
            this.catalog = Objects.requireNonNull(catalog, "catalog");
            return this;
        }

        /** The routing data source whose servers tenants are placed on; required. */
        public Builder dataSource(TenantDataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** The platform database, where the provisioning ledger is kept (installed on build); required. */
        public Builder platform(DataSource platform) {
            this.platform = Objects.requireNonNull(platform, "platform");
            return this;
        }

        /**
         * The host's Flyway locations for the tables of each schema- and database-per-tenant tenant,
         * such as {@code classpath:db/tenant}; run in the tenant's storage when it is provisioned.
         */
        public Builder migrations(String... locations) {
            migrations.addAll(TenantMigrations.requireLocations("migrations", locations));
            return this;
        }

        /**
         * The host's Flyway locations for the shared model's tables, such as {@code
         * classpath:db/shared}: run in the default schema of a server before the first shared-model
         * tenant provisioned on it is seeded (once per server and provisioner, so later ones cost
         * nothing); see {@link FleetMigration.Builder#sharedMigrations} for later releases.
         */
        public Builder sharedMigrations(String... locations) {
            sharedMigrations.addAll(TenantMigrations.requireLocations("sharedMigrations", locations));
            return this;
        }

        /**
         * Shared-model tables put under row-level security after each shared migration on a
         * PostgreSQL server with an owner of its own ({@link TenantStorage#applyRowLevelSecurity}),
         * signed when the data source signs its bindings: the application's own SQL then reaches
         * only the current tenant's rows of them, whatever it sets.
         */
        public Builder rowLevelSecurity(SharedTable... tables) {
            for (SharedTable table : tables) {
                secured.add(java.util.Objects.requireNonNull(table, "table"));
            }
            return this;
        }

        /** The class loader Flyway finds {@code classpath:} locations with; this library's by default. */
        public Builder classLoader(ClassLoader classLoader) {
            this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
            return this;
        }

        /** Initial data for each new tenant; none by default. */
        public Builder seed(TenantSeed seed) {
            this.seed = Objects.requireNonNull(seed, "seed");
            return this;
        }

        /** On PostgreSQL, the database new tenant databases are copied from; none by default. */
        public Builder templateDatabase(String templateDatabase) {
            this.templateDatabase = Objects.requireNonNull(templateDatabase, "templateDatabase");
            return this;
        }

        /** How long a provisioning holds its lease before another may take over (default 10 min). */
        public Builder lease(Duration lease) {
            if (lease.isNegative() || lease.isZero()) {
                throw new IllegalArgumentException("The provisioning lease must be positive, was " + lease);
            }
            this.lease = lease;
            return this;
        }

        /** Told about each step as it is done. */
        public Builder listener(ProvisioningListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** The clock leases are timed by; the system clock by default. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public TenantProvisioner build() {
            if (catalog == null || dataSource == null || platform == null) {
                throw new IllegalStateException(
                        "TenantProvisioner needs catalog(...), dataSource(...) and platform(...)");
            }
            return new TenantProvisioner(this);
        }
    }
}
