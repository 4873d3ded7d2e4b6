package dev.tenancy.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tenancy.IsolationModel;
import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.TenantNotActiveException;
import dev.tenancy.TenantOperation;
import dev.tenancy.UnknownTenantException;
import dev.tenancy.audit.SecurityEvents;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.context.TenantBinding;
import dev.tenancy.context.TenantContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link DataSource} for every tenant, whatever its isolation model and server: it hands out
 * connections for the tenant of the current {@link TenantContext} scope.
 *
 * <p><b>Contract:</b> every connection handed out is bound to exactly the current tenant, and no
 * physical connection reaches a borrower while carrying another tenant's binding.
 *
 * <ul>
 *   <li>{@linkplain dev.tenancy.IsolationModel#SHARED Shared}: the server's pool; on PostgreSQL
 *       the session setting {@code tenancy.tenant_id} holds the tenant for row-level security.
 *   <li>{@linkplain dev.tenancy.IsolationModel#SCHEMA Schema}: the server's pool, with the
 *       search path (H2: the schema) set to {@link TenantId#schemaName()}.
 *   <li>{@linkplain dev.tenancy.IsolationModel#DATABASE Database}: a pool per tenant database,
 *       created on demand, bounded in count and in connections (see {@link Builder}).
 *   <li>Nothing bound: refused. The {@linkplain TenantContext#system() system scope}: the platform
 *       server's database, bound to no tenant.
 *   <li>Suspended, pending, rejected or purged tenants: refused. Archived tenants, and any work in
 *       a {@linkplain dev.tenancy.context.TenantScope#readOnly() read-only scope}: read-only,
 *       enforced by the PostgreSQL session ({@code default_transaction_read_only}); on H2, which
 *       has no read-only sessions, writing statements are refused before they run.
 * </ul>
 *
 * <p>Binding costs nothing while a physical connection keeps serving the same tenant: each
 * connection's binding is remembered, and the binding statement (one round trip, sent as text
 * so that pgJDBC notices the search-path change and drops server-prepared statements planned
 * for another schema) runs only when the connection changes tenant, is new, or its last borrower
 * did anything that could have changed it: ran {@code SET}/{@code RESET}/{@code DISCARD} or SQL
 * naming {@code set_config}/{@code search_path}, called {@code setSchema}/{@code setCatalog}/
 * {@code setReadOnly} or {@code unwrap}, or had a call fail. Known limit: a stored function that
 * changes the settings internally is not seen; row-level security bound to a signed setting
 * closes that gap.
 *
 * <pre>{@code
 * TenantDataSource data = TenantDataSource.builder()
 *         .catalog(catalog)
 *         .server(DatabaseServer.of("default", "jdbc:postgresql://db:5432/app", "app", secret))
 *         .build();
 * TenantContext.where(TenantId.of("acme")).run(() -> {
 *     try (Connection c = data.getConnection()) { ... }   // bound to acme
 * });
 * }</pre>
 *
 * <p>Thread-safe. Close it to close every pool.
 */
public final class TenantDataSource extends DataSourceDefaults implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TenantDataSource.class);
    private final TenantCatalog catalog;
    private final ProxyDetector proxies = new ProxyDetector();
    private final Map<String, Route> servers;
    private final List<String> serverOrder;
    private final Route platform;
    private final TenantDatabasePools tenantDatabases;
    private final TenantDatabasePools readOnlyDatabases;
    private final ScheduledExecutorService housekeeping;
    private final boolean failedMigrationReadOnly;
    private final BindingKey bindingKey;
    private final SecurityEvents security;
    private final ConnectionRoles roles;
    /** The servers' own pools whose role passed {@link #roles} (never a tenant database's). */
    private final Set<HikariDataSource> checkedPools = ConcurrentHashMap.newKeySet();

    /**
     * The tenant attribute a fleet migration sets when a tenant's migration failed (its value is
     * the failed version) and removes once it succeeds; such a tenant is refused or served
     * read-only, see {@link Builder#failedMigrationReadOnly(boolean)}.
     */
    public static final String MIGRATION_FAILED = "tenancy.migration-failed";

    /**
     * The tenant attribute a {@link dev.tenancy.provision.TenantMove} sets while it copies the
     * tenant's data (its value is the target placement) and removes when it switches: such a tenant
     * is served read-only, so nothing is written to the copy's source.
     */
    public static final String MOVING = "tenancy.moving";

    /** Per tenant, the connections handed out for writing and not yet returned; see {@link #awaitWritersReturned}. */
    private final java.util.concurrent.ConcurrentHashMap<TenantId, Writers> writers =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** A count of one tenant's writable connections out, with its release prebuilt (no allocation per borrow). */
    private static final class Writers {
        final java.util.concurrent.atomic.AtomicInteger out = new java.util.concurrent.atomic.AtomicInteger();
        final Runnable release = out::decrementAndGet;
        /** For a database tenant: the release, then its pool's return, built once per pool. */
        private volatile ReleaseThenReturn cached;

        Runnable releaseThenReturn(TenantDatabasePools.TenantPool pool) {
            ReleaseThenReturn c = cached;
            if (c == null || c.pool() != pool) {
                Runnable returned = pool.onReturn;
                c = new ReleaseThenReturn(pool, () -> {
                    release.run();
                    returned.run();
                });
                cached = c;
            }
            return c.run();
        }
    }

    private record ReleaseThenReturn(TenantDatabasePools.TenantPool pool, Runnable run) {}

    /** A server's dialect and shared pool. */
    private record Route(DatabaseServer server, Dialect dialect, HikariDataSource pool, HikariDataSource readPool) {

        /** The pool for a borrow: read-only work connects as the read-only user, when there is one. */
        HikariDataSource pool(boolean readOnly) {
            return readOnly && readPool != null ? readPool : pool;
        }
    }

    private TenantDataSource(Builder b) {
        this.catalog = b.catalog;
        this.bindingKey = b.bindingKey;
        this.security = b.security;
        this.failedMigrationReadOnly = b.failedMigrationReadOnly;
        this.roles = new ConnectionRoles(b.allowInsecureRole);
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tenancy-pools");
            t.setDaemon(true);
            return t;
        });
        Map<String, Route> routes = new LinkedHashMap<>();
        for (DatabaseServer server : b.servers) {
            Dialect dialect = Dialect.of(server.jdbcUrl());
            HikariDataSource readPool = server.hasReadOnlyUser() && dialect == Dialect.POSTGRESQL
                    ? sharedPool(server.asReadOnlyUser(), "-read-only")
                    : null;
            routes.put(server.name(), new Route(server, dialect, sharedPool(server, ""), readPool));
        }
        this.servers = Map.copyOf(routes);
        this.serverOrder = List.copyOf(routes.keySet());
        this.platform = routes.get(b.platform == null ? b.servers.getFirst().name() : b.platform);
        ConnectionBudget budget = new ConnectionBudget(b.connectionBudget, b.budgetTimeout);
        this.tenantDatabases = new TenantDatabasePools(b.maxTenantPools, budget, b.poolIdleTimeout, housekeeping);
        // Read-only work on tenant databases connects as the read-only user: pools of its own, within the same budget.
        this.readOnlyDatabases = new TenantDatabasePools(b.maxTenantPools, budget, b.poolIdleTimeout, housekeeping);
        long sweep = Math.max(1, b.poolIdleTimeout.toSeconds() / 2);
        housekeeping.scheduleWithFixedDelay(
                () -> {
                    tenantDatabases.retireIdle();
                    readOnlyDatabases.retireIdle();
                    proxies.sweep();
                },
                sweep,
                sweep,
                TimeUnit.SECONDS);
    }

    private HikariDataSource sharedPool(DatabaseServer server, String suffix) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("tenancy-" + server.name() + suffix);
        config.setJdbcUrl(server.jdbcUrl());
        config.setUsername(server.username());
        config.setPassword(server.password());
        config.setMaximumPoolSize(server.maximumPoolSize());
        config.setAutoCommit(true);
        config.setInitializationFailTimeout(-1);
        config.setScheduledExecutor(housekeeping);
        return new HikariDataSource(config);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A connection bound to the current tenant.
     *
     * @throws SQLNonTransientConnectionException (SQLSTATE 08004) when nothing is bound, the tenant
     *     is unknown or may not be served, or its server is not configured; the cause is the
     *     Tenancy exception with the details
     */
    @Override
    public Connection getConnection() throws SQLException {
        TenantBinding current = TenantContext.binding();
        return switch (current) {
            case TenantBinding.Unbound u ->
                throw new SQLNonTransientConnectionException(
                        "No tenant is bound: run the work inside TenantContext.where(tenantId), or"
                                + " TenantContext.system() for platform work",
                        "08004");
            case TenantBinding.System s -> systemConnection();
            case TenantBinding.Bound b -> tenantConnection(b.id());
        };
    }

    private Connection systemConnection() throws SQLException {
        Binding binding = new Binding(null, platform.dialect.defaultSchema(), TenantContext.isReadOnly());
        HikariDataSource pool = platform.pool(binding.readOnly());
        for (int attempt = 1; ; attempt++) {
            Connection pooled = pool.getConnection();
            try {
                return borrow(platform, null, pooled, pool, binding, null);
            } catch (Unbindable e) {
                if (attempt == BIND_ATTEMPTS) {
                    throw e.reported();
                }
            }
        }
    }

    private Connection tenantConnection(TenantId id) throws SQLException {
        Optional<Tenant> found = catalog.find(id);
        if (found.isEmpty()) {
            throw refused(new UnknownTenantException(id.value()));
        }
        Tenant tenant = found.get();
        boolean readOnly;
        if (TenantOperation.SERVE.allowedIn(tenant.status())) {
            readOnly = TenantContext.isReadOnly();
        } else if (TenantOperation.SERVE_READ_ONLY.allowedIn(tenant.status())) {
            readOnly = true;
        } else {
            throw refused(new TenantNotActiveException(id, tenant.status(), tenant.statusReason()));
        }
        if (!tenant.attributes().isEmpty() && tenant.attributes().containsKey(MIGRATION_FAILED)) {
            if (!failedMigrationReadOnly) {
                throw new SQLNonTransientConnectionException(
                        "Tenant '" + id + "' is not served: its last migration failed ("
                                + tenant.attributes().get(MIGRATION_FAILED)
                                + "). Fix the migration and rerun the fleet migration for it.",
                        "08004");
            }
            readOnly = true;
        }
        if (!tenant.attributes().isEmpty() && tenant.attributes().containsKey(MOVING)) {
            readOnly = true;
        }
        Route route = servers.get(tenant.server());
        if (route == null) {
            throw new SQLNonTransientConnectionException(
                    "Tenant '" + id + "' is placed on server '" + tenant.server() + "', which this TenantDataSource"
                            + " does not know; configured servers: " + servers.keySet(),
                    "08004");
        }
        String schema = tenant.isolation() == IsolationModel.SCHEMA ? id.schemaName() : route.dialect.defaultSchema();
        Binding binding = new Binding(id, schema, readOnly);
        String database = tenant.isolation() == IsolationModel.DATABASE ? id.databaseName() : null;
        for (int attempt = 1; ; attempt++) {
            Writers writer = null;
            Runnable release = null;
            if (!readOnly) {
                writer = writers.computeIfAbsent(id, k -> new Writers());
                writer.out.incrementAndGet();
                release = writer.release;
            }
            // Until borrow(...) takes over (it runs the release itself if it fails), a failure releases here.
            Connection pooled;
            Runnable returned;
            HikariDataSource pool;
            try {
                if (tenant.isolation() == IsolationModel.DATABASE) {
                    TenantDatabasePools.Lease lease = leaseTenantDatabase(route.server, id, readOnly);
                    pooled = lease.connection();
                    pool = lease.pool().dataSource;
                    returned = writer == null ? lease.pool().onReturn : writer.releaseThenReturn(lease.pool());
                } else {
                    pool = route.pool(readOnly);
                    pooled = pool.getConnection();
                    returned = release;
                }
            } catch (SQLException | RuntimeException e) {
                if (release != null) {
                    release.run();
                }
                throw e;
            }
            try {
                return borrow(route, database, pooled, pool, binding, returned);
            } catch (Unbindable e) {
                if (attempt == BIND_ATTEMPTS) {
                    throw e.reported();
                }
            }
        }
    }

    /** How many connections a borrow tries before it reports that none could be brought to a known state. */
    private static final int BIND_ATTEMPTS = 3;

    /** A pooled connection whose session could not be reset and bound: it was evicted, try another. */
    private static final class Unbindable extends SQLException {
        Unbindable(SQLException cause) {
            super(cause.getMessage(), cause.getSQLState(), cause);
        }

        SQLException reported() {
            SQLException cause = (SQLException) getCause();
            return new SQLException(
                    "Could not bring a pooled connection to a known state for its next borrower (" + BIND_ATTEMPTS
                            + " connections tried, each evicted): " + cause.getMessage(),
                    cause.getSQLState(),
                    cause);
        }
    }

    private TenantDatabasePools.Lease leaseTenantDatabase(DatabaseServer server, TenantId id, boolean readOnly)
            throws SQLException {
        try {
            return readOnly && server.hasReadOnlyUser()
                    ? readOnlyDatabases.borrow(server.asReadOnlyUser(), id)
                    : tenantDatabases.borrow(server, id);
        } catch (SQLTransientConnectionException e) {
            // HikariCP reports its own timeout; when the budget was the reason, say so first.
            SQLTransientConnectionException budget = ConnectionBudget.spentIn(e);
            if (budget != null) {
                throw new SQLTransientConnectionException(
                        "Tenant '" + id + "': " + budget.getMessage(), budget.getSQLState(), e);
            }
            throw e;
        }
    }

    /**
     * Resets and binds {@code pooled} (see {@link SessionBinder}) and wraps it for the borrower.
     * When the session cannot be brought to a known state, the connection is evicted from {@code
     * pool}, never handed out, and {@link Unbindable} says to try another.
     */
    private Connection borrow(
            Route route, String database, Connection pooled, HikariDataSource pool, Binding binding, Runnable onReturn)
            throws SQLException {
        Runnable returned = onReturn == null ? () -> {} : onReturn;
        Connection physical;
        int serverPid;
        try {
            physical = pooled.unwrap(Connection.class);
        } catch (SQLException | RuntimeException e) {
            giveBack(pooled, returned, e);
            throw e;
        }
        try {
            String user = binding.readOnly() && route.server.hasReadOnlyUser()
                    ? route.server.readOnlyUsername()
                    : route.server.username();
            // A server's own pools are looked up by identity on every borrow (a tenant database's come
            // and go, and are looked up by server, database and role).
            if (route.dialect == Dialect.POSTGRESQL && !checkedPools.contains(pool)) {
                if (!roles.passed(route.server, database, user)) {
                    if (!TransactionState.idle(physical)) {
                        ConnectionRoles.endTransaction(pooled);
                    }
                    roles.check(route.server, database, user, pooled);
                }
                if (pool == route.pool || pool == route.readPool) {
                    checkedPools.add(pool);
                }
            }
        } catch (SQLException | RuntimeException e) { // a misconfiguration: another connection would not do better
            giveBack(pooled, returned, e);
            throw e;
        }
        try {
            Support support = support(route, database, pooled);
            if (route.server.transactionPooling() && route.dialect == Dialect.POSTGRESQL) {
                pooled.setAutoCommit(false); // the pool sets it back on return
                return BoundConnection.wrapPerTransaction(
                        pooled,
                        binding,
                        route.dialect,
                        returned,
                        security,
                        support.key(),
                        support.installed(),
                        physical);
            }
            serverPid = SessionBinder.bindSession(
                    pooled, physical, route.dialect, binding, support.key(), support.installed());
        } catch (SQLException e) {
            pool.evictConnection(pooled);
            giveBack(pooled, returned, e);
            throw new Unbindable(e);
        } catch (RuntimeException e) {
            pool.evictConnection(pooled);
            giveBack(pooled, returned, e);
            throw e;
        }
        try {
            if (serverPid >= 0) {
                proxies.check(route.server, physical, serverPid);
            }
        } catch (SQLException e) { // a misconfiguration: another connection would not do better
            pool.evictConnection(pooled);
            giveBack(pooled, returned, e);
            throw e;
        }
        return BoundConnection.wrap(pooled, binding, route.dialect, returned, security);
    }

    private static void giveBack(Connection pooled, Runnable returned, Exception failure) {
        try {
            pooled.close();
        } catch (SQLException | RuntimeException closing) {
            failure.addSuppressed(closing);
        } finally {
            returned.run();
        }
    }

    /** How sessions are bound in one database: in one statement ({@code installed}), and signed with {@code key}. */
    private record Support(boolean installed, BindingKey key) {}

    private static final Support TEXT = new Support(false, null);

    /** Per database ({@code server} or {@code server/database}): its support, and when to look again if lacking. */
    private final java.util.concurrent.ConcurrentHashMap<String, Support> support =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final java.util.concurrent.ConcurrentHashMap<String, Long> lookAgain =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final java.util.Set<String> warned = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * How sessions are bound in {@code database} on {@code route} ({@code null}: the server's main
     * database, where shared and schema tenants live; else a tenant's own database, where a signed
     * binding makes read-only hold). Bindings are signed when a key is given. The first borrow there
     * makes sure
     * {@value SessionBinder#SESSION_FUNCTION} (and {@value SessionBinder#BIND_FUNCTION} when signing)
     * is there, installing it as the server's owner when it has one ({@link DatabaseServer#withOwner}).
     * Without it and without an owner, sessions are reset with a dozen statements instead of one,
     * and not signed (logged; looked at again every 30 s): no signed policy can exist there without
     * it, so such policies fail closed meanwhile.
     */
    private Support support(Route route, String database, Connection pooled) throws SQLException {
        if (route.dialect != Dialect.POSTGRESQL) {
            return TEXT;
        }
        String name = database == null ? route.server.name() : route.server.name() + "/" + database;
        Support known = support.get(name);
        if (known != null) {
            return known;
        }
        Long next = lookAgain.get(name);
        if (next != null && System.nanoTime() - next < 0) {
            return TEXT;
        }
        BindingKey key = bindingKey;
        boolean ready = SessionBinder.installed(pooled, key != null);
        if (!ready && route.server.hasSeparateOwner()) {
            String url = database == null ? route.server.jdbcUrl() : route.server.databaseUrl(database);
            try (Connection owner = TenantStorage.on(route.server, key).ownerConnection(url)) {
                ready = SessionBinder.ensureInstalled(owner, key);
            }
        }
        if (ready) {
            Support found = new Support(true, key);
            support.put(name, found);
            return found;
        }
        lookAgain.put(name, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
        if (warned.add(route.server.name())) { // once per server, not per tenant database
            String message = "Sessions on server '{}' are reset with a dozen statements instead of one call{}: {}.{}"
                    + " is not installed and the server has no owner of its own to install it"
                    + " (DatabaseServer.withOwner); the application's role must not own it, or its SQL could"
                    + " replace it";
            Object[] arguments = {
                route.server.name(),
                key == null ? "" : ", and bindings are NOT signed",
                SessionBinder.BINDING_SCHEMA,
                SessionBinder.SESSION_FUNCTION
            };
            if (key == null) {
                LOG.info(message, arguments);
            } else {
                LOG.warn(message, arguments);
            }
        }
        return TEXT;
    }

    private static SQLNonTransientConnectionException refused(RuntimeException cause) {
        return new SQLNonTransientConnectionException(cause.getMessage(), "08004", cause);
    }

    /**
     * Checks now, on a connection of its own to each PostgreSQL server's main database (and one as
     * its read-only user; 5 s to connect), what the first borrow there would check: that the role tenants connect as is
     * neither superuser nor {@code BYPASSRLS}, owns no table or schema and cannot reach the
     * platform's tables. Call it at start-up to fail before serving; the Spring starter does.
     *
     * @throws SQLNonTransientConnectionException (SQLSTATE 28000) naming the role, what is wrong
     *     with it and the fix, unless {@link Builder#allowInsecureRole()} (then logged at WARN)
     */
    public void checkRoles() throws SQLException {
        for (String name : serverOrder) {
            Route route = servers.get(name);
            if (route.dialect != Dialect.POSTGRESQL) {
                continue;
            }
            for (boolean readOnly : new boolean[] {false, true}) {
                if (readOnly && route.readPool == null) {
                    continue;
                }
                String user = readOnly ? route.server.readOnlyUsername() : route.server.username();
                java.util.Properties login = new java.util.Properties();
                login.setProperty("user", user);
                login.setProperty("password", readOnly ? route.server.readOnlyPassword() : route.server.password());
                login.setProperty("loginTimeout", "5"); // a server that is down fails the check in seconds
                login.setProperty("connectTimeout", "5");
                try (Connection c = java.sql.DriverManager.getConnection(route.server.jdbcUrl(), login)) {
                    roles.check(route.server, null, user, c);
                }
            }
        }
    }

    /**
     * The configured server a new tenant of {@code isolation} should be placed on: the one holding
     * the fewest tenants of that model (ties go to the server configured first). Pass it to {@link
     * dev.tenancy.catalog.TenantRegistration.Builder#server(String)} unless placing explicitly.
     */
    public String place(IsolationModel isolation) {
        Map<String, Long> counts = catalog.countByServer(isolation);
        String best = null;
        long fewest = Long.MAX_VALUE;
        for (String server : serverOrder) {
            if (isolation == IsolationModel.DATABASE
                    && servers.get(server).server().databaseUrlTemplate() == null) {
                continue; // hosts no tenant databases
            }
            long count = counts.getOrDefault(server, 0L);
            if (count < fewest) {
                fewest = count;
                best = server;
            }
        }
        if (best == null) {
            throw new IllegalStateException(
                    "No configured server hosts tenant databases: give one a database URL template");
        }
        return best;
    }

    /**
     * The configured server named {@code name}.
     *
     * @throws IllegalArgumentException naming the configured servers when there is none
     */
    public DatabaseServer server(String name) {
        Route route = servers.get(name);
        if (route == null) {
            throw new IllegalArgumentException(
                    "No server named '" + name + "' is configured; configured servers: " + serverOrder);
        }
        return route.server();
    }

    /**
     * The storage of {@code tenant} on its server, for provisioning, migrations and offboarding;
     * with this data source's {@linkplain Builder#signedBinding binding key}, so that the row-level
     * security it applies to schema tenants accepts the bindings made here.
     */
    public TenantStorage storage(Tenant tenant) {
        return storage(tenant.server());
    }

    /** The storage of server {@code serverName} (its shared tables), with this data source's binding key. */
    public TenantStorage storage(String serverName) {
        return TenantStorage.on(server(serverName), bindingKey);
    }

    /**
     * Waits until every connection this data source handed out for writing as {@code tenant} has
     * been returned. A tenant being {@linkplain #MOVING moved} is served read-only, so no new ones
     * are handed out meanwhile. Counts only this data source's connections: on PostgreSQL a move
     * also fences the tables it copies against writers on other nodes.
     *
     * @return whether none was out at the end; {@code false} if some still were after {@code timeout}
     */
    public boolean awaitWritersReturned(TenantId tenant, java.time.Duration timeout) throws InterruptedException {
        Objects.requireNonNull(tenant, "tenant");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Writers w = writers.get(tenant);
            if (w == null || w.out.get() == 0) {
                return true;
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(5);
        }
    }

    /** The catalog this data source looks tenants up in (their status, isolation model and server). */
    public TenantCatalog catalog() {
        return catalog;
    }

    /** How many tenant-database pools are open now. */
    public int tenantDatabasePools() {
        return tenantDatabases.poolCount();
    }

    /** How many physical tenant-database connections are open now (never more than the budget). */
    public int tenantDatabaseConnections() {
        return tenantDatabases.openConnections();
    }

    @Override
    public void close() {
        tenantDatabases.close();
        readOnlyDatabases.close();
        servers.values().forEach(r -> {
            r.pool.close();
            if (r.readPool != null) {
                r.readPool.close();
            }
        });
        housekeeping.shutdownNow();
    }

    /** Builds a {@link TenantDataSource}. */
    public static final class Builder {
        private TenantCatalog catalog;
        private final java.util.ArrayList<DatabaseServer> servers = new java.util.ArrayList<>();
        private String platform;
        private int maxTenantPools = 100;
        private int connectionBudget = 200;
        private Duration budgetTimeout = Duration.ofSeconds(5);
        private Duration poolIdleTimeout = Duration.ofMinutes(10);
        private boolean failedMigrationReadOnly;
        private BindingKey bindingKey;
        private SecurityEvents security;
        private boolean allowInsecureRole;

        private Builder() {}

        /**
         * Serves tenants even when the PostgreSQL role they connect as is a superuser, has {@code
         * BYPASSRLS}, owns tables or schemas, or can reach the platform's tables; each such server
         * and role is logged once at WARN. Without it such connections are refused (SQLSTATE 28000),
         * because tenant SQL on them can reach other tenants. For tests and local demos only.
         */
        public Builder allowInsecureRole() {
            this.allowInsecureRole = true;
            return this;
        }

        /**
         * How a tenant whose last migration failed (marked with {@link #MIGRATION_FAILED} by a fleet
         * run) is served: refused (the default), or read-only when {@code readOnly}. Either way it is
         * never served writable against a schema older than the code expects.
         */
        public Builder failedMigrationReadOnly(boolean readOnly) {
            this.failedMigrationReadOnly = readOnly;
            return this;
        }

        /** Where tenants' status, model and server are looked up; use a cached catalog. Required. */
        public Builder catalog(TenantCatalog catalog) {
            if (this.catalog != null) {
                throw new IllegalStateException("catalog was already set to " + this.catalog);
            }
            this.catalog = Objects.requireNonNull(catalog, "catalog");
            return this;
        }

        /** Adds a database server; at least one is required, names must differ. */
        public Builder server(DatabaseServer server) {
            Objects.requireNonNull(server, "server");
            if (servers.stream().anyMatch(s -> s.name().equals(server.name()))) {
                throw new IllegalStateException("server '" + server.name() + "' was already added");
            }
            servers.add(server);
            return this;
        }

        /** The server whose database the system scope reaches; the first server by default. */
        public Builder platform(String serverName) {
            this.platform = Objects.requireNonNull(serverName, "serverName");
            return this;
        }

        /**
         * Records each refusal of a tenant's session by the database (SQLSTATE 42501: row-level
         * security, another tenant's schema, a shared table's TRUNCATE) as {@value
         * SecurityEvents#ACCESS_DENIED}; none by default.
         */
        public Builder securityEvents(SecurityEvents security) {
            this.security = Objects.requireNonNull(security, "security");
            return this;
        }

        /**
         * Signs every PostgreSQL binding with {@code key}, for policies applied with {@link
         * RowLevelSecurity#signedBy}: the application's own SQL then cannot move its session to
         * another tenant. Use the same key on every node.
         */
        public Builder signedBinding(BindingKey key) {
            this.bindingKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /**
         * How many tenant-database pools stay open (default 100): opening one more retires the least
         * recently used, idle ones first. Threads opening pools at the same instant can overshoot it
         * by a few for the moment it takes; the {@linkplain #connectionBudget(int) connection budget}
         * is the hard limit.
         */
        public Builder maxTenantPools(int maxTenantPools) {
            this.maxTenantPools = maxTenantPools;
            return this;
        }

        /** At most this many physical connections across all tenant-database pools (default 200). */
        public Builder connectionBudget(int connectionBudget) {
            this.connectionBudget = connectionBudget;
            return this;
        }

        /** How long a borrower waits for budget before failing (default 5 s). */
        public Builder budgetTimeout(Duration budgetTimeout) {
            this.budgetTimeout = Objects.requireNonNull(budgetTimeout, "budgetTimeout");
            return this;
        }

        /** Tenant-database pools unused this long are closed (default 10 min). */
        public Builder poolIdleTimeout(Duration poolIdleTimeout) {
            this.poolIdleTimeout = Objects.requireNonNull(poolIdleTimeout, "poolIdleTimeout");
            return this;
        }

        public TenantDataSource build() {
            if (catalog == null) {
                throw new IllegalStateException("TenantDataSource needs a catalog: call catalog(...)");
            }
            if (servers.isEmpty()) {
                throw new IllegalStateException(
                        "TenantDataSource needs at least one server: call server(DatabaseServer.of(...))");
            }
            List<String> names = servers.stream().map(DatabaseServer::name).toList();
            if (platform != null && !names.contains(platform)) {
                throw new IllegalStateException("platform server '" + platform + "' is not among " + names);
            }
            for (DatabaseServer server : servers) {
                if (server.hasReadOnlyUser() && !server.hasSeparateOwner()) {
                    throw new IllegalStateException("Server '" + server.name() + "' has a read-only user but no owner:"
                            + " the owner's provisioning grants it read access. Add withOwner(user, password)");
                }
            }
            if (maxTenantPools < 1 || connectionBudget < 1) {
                throw new IllegalStateException("maxTenantPools and connectionBudget must be at least 1, were "
                        + maxTenantPools + " and " + connectionBudget);
            }
            return new TenantDataSource(this);
        }
    }
}
