package dev.tenancy.provision;

import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.Page;
import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.TenantStatus;
import dev.tenancy.UnknownTenantException;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantQuery;
import dev.tenancy.catalog.TenantUpdate;
import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.jdbc.TenantStorage;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.sql.DataSource;

/**
 * Brings every schema- and database-per-tenant tenant (or a selection) to the newest version of the
 * host's migrations.
 *
 * <ul>
 *   <li>Who is behind comes from a per-tenant version ledger in the platform database: confirming
 *       an up-to-date fleet is one query ({@link #behind()}), not one Flyway run per tenant.
 *   <li>A canary wave of {@link Builder#canary(int)} tenants runs first; if any of it fails, the
 *       run stops there.
 *   <li>The rest run with bounded parallelism; once more than {@link Builder#maxFailures(int)}
 *       tenants have failed, no new tenant is started.
 *   <li>Resumable: tenants the ledger shows current are skipped, so a rerun after a crash or a stop
 *       takes only those not done.
 *   <li>A tenant whose migration failed is marked ({@link TenantDataSource#MIGRATION_FAILED}), and
 *       {@link TenantDataSource} refuses it or serves it read-only until a later run succeeds.
 * </ul>
 *
 * <p>Tenants are migrated only while the locations hold a versioned migration: an application
 * without tenant migrations gets no history table in its tenants' schemas or databases.
 *
 * <p>With {@linkplain Builder#sharedMigrations shared migrations}, the shared model's tables are
 * migrated first, once on each server that holds a selected shared-model tenant; a failure there
 * stops the run before any tenant starts (the canary of the release), and the shared tenants are
 * served as before (PostgreSQL rolls the failed migration back; fix it and run again).
 *
 * <p>Each run returns a {@link FleetReport} with every tenant's and every server's outcome; a
 * {@link FleetListener} hears each tenant as it finishes.
 */
public final class FleetMigration {
    private static final Set<TenantStatus> MIGRATED_STATUSES =
            Set.of(TenantStatus.ACTIVE, TenantStatus.SUSPENDED, TenantStatus.ARCHIVED);

    private final TenantCatalog catalog;
    private final TenantDataSource dataSource;
    private final DataSource platform;
    private final Ledger ledger;
    private final TenantMigrations migrations;
    private final TenantMigrations sharedMigrations;
    private final List<SharedTable> secured;
    private final int parallelism;
    private final int canary;
    private final int maxFailures;
    private final FleetListener listener;
    private final Predicate<Tenant> selection;
    private final Actor actor;

    private FleetMigration(Builder b) {
        this.catalog = b.catalog;
        this.dataSource = b.dataSource;
        this.platform = b.platform;
        this.ledger = new Ledger(b.platform, b.clock);
        this.migrations = new TenantMigrations(b.migrations, b.classLoader);
        this.sharedMigrations = new TenantMigrations(b.sharedMigrations, b.classLoader);
        this.secured = List.copyOf(b.secured);
        this.parallelism = b.parallelism;
        this.canary = b.canary;
        this.maxFailures = b.maxFailures;
        this.listener = b.listener;
        this.selection = b.selection;
        this.actor = b.actor;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The newest version among the host's migrations; {@code null} when they hold none. */
    public String targetVersion() {
        return migrations.target(platform);
    }

    /** The selected tenants not recorded at the target version: the catalog listing plus one ledger query. */
    public List<Tenant> behind() {
        String target = migrations.isEmpty() ? null : targetVersion();
        if (target == null) {
            return List.of();
        }
        Set<TenantId> current = ledger.currentAt(target);
        return fleet(true).tenants().stream()
                .filter(t -> !current.contains(t.id()))
                .toList();
    }

    /**
     * Clears a failed migration from {@code id}'s history once its cause has been fixed by hand, so
     * that the next run retries it. Databases without transactional DDL (H2, MySQL) keep a failed
     * migration's record; PostgreSQL rolls the whole migration back and needs no repair.
     */
    public void repair(TenantId id) {
        Tenant tenant = catalog.find(id).orElseThrow(() -> new UnknownTenantException(id.value()));
        migrations.repair(dataSource.storage(tenant), tenant);
    }

    /** Runs the migration over the fleet, canary first; see the class comment. */
    public FleetReport run() {
        long start = System.nanoTime();
        String target = targetVersion();
        Set<TenantId> current = target == null ? Set.of() : ledger.currentAt(target);
        Fleet fleet = fleet(target != null);
        List<FleetReport.SharedOutcome> shared = new ArrayList<>();
        for (String server : fleet.sharedServers()) {
            shared.add(migrateSharedTables(server));
        }
        if (shared.stream().anyMatch(o -> o.result() == FleetReport.Result.FAILED)) {
            List<FleetReport.Outcome> notRun = fleet.tenants().stream()
                    .map(t -> new FleetReport.Outcome(t.id(), FleetReport.Result.NOT_RUN, null, Duration.ZERO))
                    .toList();
            return new FleetReport(target, notRun, shared, true, Duration.ofNanos(System.nanoTime() - start));
        }
        List<FleetReport.Outcome> outcomes = new ArrayList<>();
        List<Tenant> todo = new ArrayList<>();
        for (Tenant tenant : fleet.tenants()) {
            if (current.contains(tenant.id())) {
                outcomes.add(new FleetReport.Outcome(tenant.id(), FleetReport.Result.SKIPPED, null, Duration.ZERO));
            } else {
                todo.add(tenant);
            }
        }
        int total = todo.size();
        AtomicInteger finished = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        int canarySize = Math.min(canary, todo.size());
        // The canary wave runs whole (its tenants are the sample); any failure in it stops the run.
        List<FleetReport.Outcome> ran = new ArrayList<>(wave(
                todo.subList(0, canarySize),
                target,
                finished,
                total,
                failures,
                new AtomicBoolean(),
                Integer.MAX_VALUE));
        if (failures.get() > 0) {
            stop.set(true);
        }
        ran.addAll(wave(todo.subList(canarySize, todo.size()), target, finished, total, failures, stop, maxFailures));
        outcomes.addAll(ran);
        return new FleetReport(target, outcomes, shared, stop.get(), Duration.ofNanos(System.nanoTime() - start));
    }

    private List<FleetReport.Outcome> wave(
            List<Tenant> tenants,
            String target,
            AtomicInteger finished,
            int total,
            AtomicInteger failures,
            AtomicBoolean stop,
            int allowedFailures) {
        if (tenants.isEmpty()) {
            return List.of();
        }
        List<Future<FleetReport.Outcome>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, tenants.size()), r -> {
            Thread t = new Thread(r, "tenancy-fleet-migration");
            t.setDaemon(true);
            return t;
        })) {
            for (Tenant tenant : tenants) {
                futures.add(pool.submit(() -> {
                    if (stop.get()) {
                        return new FleetReport.Outcome(tenant.id(), FleetReport.Result.NOT_RUN, null, Duration.ZERO);
                    }
                    FleetReport.Outcome outcome = migrate(tenant, target);
                    if (outcome.result() == FleetReport.Result.FAILED && failures.incrementAndGet() > allowedFailures) {
                        stop.set(true);
                    }
                    listener.finished(outcome, finished.incrementAndGet(), total);
                    return outcome;
                }));
            }
        }
        List<FleetReport.Outcome> outcomes = new ArrayList<>();
        for (Future<FleetReport.Outcome> future : futures) {
            try {
                outcomes.add(future.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Fleet migration interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("Fleet migration failed unexpectedly: " + e.getCause(), e.getCause());
            }
        }
        return outcomes;
    }

    private FleetReport.Outcome migrate(Tenant tenant, String target) {
        long start = System.nanoTime();
        try {
            TenantStorage storage = dataSource.storage(tenant);
            String version = migrations.migrate(storage, tenant);
            storage.applyAccessControl(tenant); // the tables this migration added, too
            ledger.recordMigration(tenant.id(), version, Ledger.CURRENT, null);
            if (tenant.attributes().containsKey(TenantDataSource.MIGRATION_FAILED)) {
                catalog.update(
                        tenant.id(),
                        TenantUpdate.builder()
                                .removeAttribute(TenantDataSource.MIGRATION_FAILED)
                                .build(),
                        actor);
            }
            return new FleetReport.Outcome(
                    tenant.id(), FleetReport.Result.MIGRATED, null, Duration.ofNanos(System.nanoTime() - start));
        } catch (RuntimeException | SQLException e) {
            String error = e.getMessage() == null ? e.toString() : e.getMessage();
            ledger.recordMigration(tenant.id(), target, Ledger.FAILED, error);
            catalog.update(
                    tenant.id(),
                    TenantUpdate.builder()
                            .attribute(TenantDataSource.MIGRATION_FAILED, target == null ? "unknown" : target)
                            .build(),
                    actor);
            return new FleetReport.Outcome(
                    tenant.id(), FleetReport.Result.FAILED, error, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private FleetReport.SharedOutcome migrateSharedTables(String server) {
        long start = System.nanoTime();
        try {
            TenantMigrations.SharedRun run = sharedMigrations.migrateShared(dataSource.storage(server), secured);
            boolean ran = run != null && run.executed() > 0;
            return new FleetReport.SharedOutcome(
                    server,
                    ran ? FleetReport.Result.MIGRATED : FleetReport.Result.SKIPPED,
                    run == null ? null : run.version(),
                    null,
                    Duration.ofNanos(System.nanoTime() - start));
        } catch (RuntimeException | SQLException e) {
            return new FleetReport.SharedOutcome(
                    server,
                    FleetReport.Result.FAILED,
                    null,
                    e.getMessage() == null ? e.toString() : e.getMessage(),
                    Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /**
     * The selected tenants that are live or kept (active, suspended, archived): the schema- and
     * database-per-tenant ones by id, and the servers the shared-model ones are on (none without
     * shared migrations).
     */
    private record Fleet(List<Tenant> tenants, Set<String> sharedServers) {}

    private Fleet fleet(boolean withTenants) {
        List<Tenant> all = new ArrayList<>();
        Set<String> sharedServers = new java.util.TreeSet<>();
        int offset = 0;
        while (true) {
            Page<Tenant> page = catalog.list(TenantQuery.builder()
                    .offset(offset)
                    .limit(TenantQuery.MAX_LIMIT)
                    .build());
            for (Tenant t : page.items()) {
                if (!MIGRATED_STATUSES.contains(t.status()) || !selection.test(t)) {
                    continue;
                }
                if (t.isolation() != IsolationModel.SHARED) {
                    if (withTenants) {
                        all.add(t);
                    }
                } else if (!sharedMigrations.isEmpty()) {
                    sharedServers.add(t.server());
                }
            }
            if (!page.hasNext()) {
                break;
            }
            offset += page.items().size();
        }
        all.sort(Comparator.comparing(t -> t.id().value()));
        return new Fleet(all, sharedServers);
    }

    /** Builds a {@link FleetMigration}. */
    public static final class Builder {
        private TenantCatalog catalog;
        private TenantDataSource dataSource;
        private DataSource platform;
        private final List<String> migrations = new ArrayList<>();
        private final List<String> sharedMigrations = new ArrayList<>();
        private final List<SharedTable> secured = new ArrayList<>();
        private ClassLoader classLoader = FleetMigration.class.getClassLoader();
        private int parallelism = 8;
        private int canary = 5;
        private int maxFailures = 0;
        private FleetListener listener = FleetListener.none();
        private Predicate<Tenant> selection = t -> true;
        private Actor actor = Actor.system("fleet-migration");
        private InstantSource clock = InstantSource.system();

        private Builder() {}

        /** Where the tenants are listed and failed ones marked; required. */
        public Builder catalog(TenantCatalog catalog) {
            this.catalog = Objects.requireNonNull(catalog, "catalog");
            return this;
        }

        /** The routing data source whose servers the tenants live on; required. */
        public Builder dataSource(TenantDataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** The platform database with the migration ledger; required. */
        public Builder platform(DataSource platform) {
            this.platform = Objects.requireNonNull(platform, "platform");
            return this;
        }

        /** The host's Flyway locations for the tables of schema- and database-per-tenant tenants. */
        public Builder migrations(String... locations) {
            migrations.addAll(TenantMigrations.requireLocations("migrations", locations));
            return this;
        }

        /**
         * The host's Flyway locations for the shared model's tables, such as {@code
         * classpath:db/shared}: migrated first, once on each server that holds a selected
         * shared-model tenant (see {@link TenantProvisioner.Builder#sharedMigrations}).
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

        /** The class loader Flyway finds {@code classpath:} locations with. */
        public Builder classLoader(ClassLoader classLoader) {
            this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
            return this;
        }

        /** How many tenants migrate at once (default 8); each holds one connection to its server. */
        public Builder parallelism(int parallelism) {
            if (parallelism < 1) {
                throw new IllegalArgumentException("parallelism must be at least 1, was " + parallelism);
            }
            this.parallelism = parallelism;
            return this;
        }

        /** How many tenants migrate first, alone; any failure among them stops the run (default 5). */
        public Builder canary(int canary) {
            if (canary < 0) {
                throw new IllegalArgumentException("canary must not be negative, was " + canary);
            }
            this.canary = canary;
            return this;
        }

        /** How many failures after the canary are tolerated before no new tenant starts (default 0). */
        public Builder maxFailures(int maxFailures) {
            if (maxFailures < 0) {
                throw new IllegalArgumentException("maxFailures must not be negative, was " + maxFailures);
            }
            this.maxFailures = maxFailures;
            return this;
        }

        /** Hears each tenant's outcome as it finishes. */
        public Builder listener(FleetListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Only tenants matching {@code selection} (for example one tier, or a list of ids). */
        public Builder select(Predicate<Tenant> selection) {
            this.selection = Objects.requireNonNull(selection, "selection");
            return this;
        }

        /** Who marks failed tenants in the catalog (audited); {@code system:fleet-migration} by default. */
        public Builder actor(Actor actor) {
            this.actor = Objects.requireNonNull(actor, "actor");
            return this;
        }

        /** The clock the ledger is timed by. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public FleetMigration build() {
            if (catalog == null || dataSource == null || platform == null) {
                throw new IllegalStateException("FleetMigration needs catalog(...), dataSource(...) and platform(...)");
            }
            if (migrations.isEmpty() && sharedMigrations.isEmpty()) {
                throw new IllegalStateException(
                        "FleetMigration has nothing to run: give migrations(...) for tenants' own tables,"
                                + " sharedMigrations(...) for the shared model's, or both");
            }
            return new FleetMigration(this);
        }
    }
}
