package dev.tenancy.flags;

import dev.tenancy.Actor;
import dev.tenancy.ReadOnlyScopeException;
import dev.tenancy.TenantId;
import dev.tenancy.catalog.CatalogChangeNotifications;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.context.ScopeCache;
import dev.tenancy.context.TenantBinding;
import dev.tenancy.context.TenantContext;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feature flags and module entitlements for every tenant, evaluated in memory.
 *
 * <pre>{@code
 * FeatureFlags flags = FeatureFlags.builder()
 *         .store(JdbcFlagStore.builder(dataSource).auditLog(audit).build())
 *         .catalog(catalog)                          // for plan tiers
 *         .build();
 * Flag analytics = flags.flag("advanced-analytics");
 * TenantContext.where(acme).run(() -> analytics.isEnabled());
 * }</pre>
 *
 * <p>Evaluation reads a per-tenant snapshot computed from the store's contents when they change
 * (on first use of the tenant after a change), never per call: no I/O, no allocation and no clock
 * read on the hot path. An override's expiry is a scheduled recomputation at that instant.
 *
 * <p>Changes reach the snapshots at once on this node, through the store's notifications (on
 * PostgreSQL, LISTEN/NOTIFY) on other nodes, and through a poll of {@link FlagStore#version()}
 * (every 5 minutes by default) as the safety net. A store that fails keeps the last good state.
 *
 * <p>Plan rules read each tenant's tier from the catalog when its snapshot is computed. A tier
 * change (an upgrade through tenancy-billing, or {@code catalog.update(...)}) reaches them the way
 * the catalog reports it: every catalog Tenancy ships is {@link CatalogChangeNotifications}, so a
 * change made on this node applies at once, and over a JDBC catalog on PostgreSQL one made on any
 * node applies as it commits (LISTEN/NOTIFY). The same poll rechecks the tiers of the tenants
 * evaluated so far as the safety net (a catalog that does not notify: within the poll interval
 * plus its cache TTL); {@link #refresh()} applies everything at once.
 */
public final class FeatureFlags implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FeatureFlags.class);

    private final FlagStore store;
    private final TenantCatalog catalog;
    private final InstantSource clock;
    private final boolean countEvaluations;
    private final ConcurrentHashMap<String, Flag> handles = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final LongAdder[] noCounters = new LongAdder[0];
    private volatile LongAdder[] counterByIndex = noCounters;
    private final ScheduledExecutorService scheduler;
    private final AutoCloseable subscription;
    private final AutoCloseable catalogSubscription;
    private final Set<TenantId> tierChecks = ConcurrentHashMap.newKeySet();
    private final AtomicLong catalogChanges = new AtomicLong();
    private final List<Consumer<Set<String>>> listeners = new CopyOnWriteArrayList<>();
    private final Object refreshLock = new Object();
    private volatile FlagState state;

    private ScheduledFuture<?> expiry;

    /** The snapshot the current scope saw; stale once its state is not the current one. */
    private final ScopeCache<FlagState.TenantFlags> snapshots = ScopeCache.create();

    private FeatureFlags(Builder b) {
        this.store = b.store;
        this.catalog = b.catalog;
        this.clock = b.clock;
        this.countEvaluations = b.countEvaluations;
        this.state = new FlagState(
                -1,
                false,
                new FlagDefinition[0],
                List.of(),
                catalog,
                clock.instant(),
                catalogChanges,
                this::recheckTier);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tenancy-flags-refresh");
            t.setDaemon(true);
            return t;
        });
        reload(false);
        long poll = b.pollInterval.toMillis();
        scheduler.scheduleWithFixedDelay(this::refreshIfChanged, poll, poll, TimeUnit.MILLISECONDS);
        this.subscription = store instanceof FlagChangeNotifications notifications
                ? notifications.subscribe(() -> scheduler.execute(this::refreshIfChanged))
                : () -> {};
        this.catalogSubscription = catalog instanceof CatalogChangeNotifications notifications
                ? notifications.subscribe(this::tenantChanged)
                : () -> {};
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The handle on {@code key}; the same instance for the same key. */
    public Flag flag(String key) {
        Flag existing = handles.get(key);
        if (existing != null) {
            return existing;
        }
        FlagDefinition.requireKey(key);
        Flag created;
        synchronized (refreshLock) {
            created = handles.computeIfAbsent(key, k -> new Flag(this, k, handles.size(), snapshots, countEvaluations));
            if (created.index >= state.definitions.length) {
                rebuild(state.version, store.definitions(), store.overrides(), true, false);
            }
        }
        return created;
    }

    /** Whether {@code key} is on for the current tenant; {@code false} when none is bound. */
    public boolean isEnabled(String key) {
        return flag(key).isEnabled();
    }

    /** The value and reason of {@code key} for {@code tenant} and (optionally) {@code user}. */
    public FlagEvaluation evaluate(String key, TenantId tenant, String user) {
        return evaluate(flag(key), tenant, user);
    }

    /**
     * The configuration payload of {@code key} for {@code tenant} (its override's, else the
     * definition's), whether or not the flag is on for the tenant, read as {@code type} with
     * Jackson; empty when there is none. It parses the JSON each call and throws Jackson's {@code
     * JacksonException} when the payload is not a {@code type}: for tooling and checks. Application
     * code reads a payload through a {@link FlagConfig} handle ({@code flag(key).config(type)}),
     * which applies it only while the flag is on, parses it once per change and never throws.
     */
    public <T> Optional<T> config(String key, TenantId tenant, Class<T> type) {
        Flag flag = flag(key);
        FlagState s = state;
        if (flag.index >= s.definitions.length || s.definitions[flag.index] == null) {
            return Optional.empty();
        }
        String json = s.tenant(tenant).config[flag.index];
        return json == null ? Optional.empty() : Optional.of(FlagJson.read(json, type));
    }

    /** {@link FlagConfig#get()} and {@link FlagConfig#getFor(String)}. */
    <T> Optional<T> configForTheCurrentTenant(Flag flag, String user, Class<T> type) {
        FlagState.TenantFlags flags = current();
        return flags == null ? Optional.empty() : payload(flags, flag.index, user, type);
    }

    /** {@link FlagConfig#get(TenantId)} and {@link FlagConfig#get(TenantId, String)}. */
    <T> Optional<T> config(Flag flag, TenantId tenant, String user, Class<T> type) {
        FlagState.TenantFlags flags;
        try {
            flags = state.tenant(tenant);
        } catch (RuntimeException e) {
            LOG.warn("Could not compute the flags of tenant '{}'", tenant, e);
            return Optional.empty();
        }
        return payload(flags, flag.index, user, type);
    }

    private static <T> Optional<T> payload(FlagState.TenantFlags flags, int i, String user, Class<T> type) {
        if (i >= flags.value.length || !value(flags, i, user)) {
            return Optional.empty();
        }
        return flags.payload(i, type);
    }

    // ---- evaluation -----------------------------------------------------------------------

    /** {@link Flag#isEnabled()} once the snapshot cached on the scope (if any) is stale. */
    boolean isEnabledForTheCurrentTenant(Flag flag) {
        FlagState.TenantFlags flags = current();
        if (flags == null) {
            return false;
        }
        count(flag);
        return flag.index < flags.value.length && flags.value[flag.index];
    }

    boolean isEnabled(Flag flag, String user) {
        FlagState.TenantFlags flags = current();
        if (flags == null) {
            return false;
        }
        count(flag);
        return value(flags, flag.index, user);
    }

    boolean isEnabled(Flag flag, TenantId tenant, String user) {
        FlagState s = state;
        count(flag);
        return value(s.tenant(tenant), flag.index, user);
    }

    private static boolean value(FlagState.TenantFlags flags, int i, String user) {
        if (i >= flags.value.length) {
            return false;
        }
        if (user != null) {
            int rollout = flags.userRollout[i];
            if (rollout > 0 && Rollout.userBucket(flags.userSeed[i], user) < rollout) {
                return true;
            }
        }
        return flags.value[i];
    }

    FlagEvaluation evaluate(Flag flag, TenantId tenant, String user) {
        FlagState s = state;
        if (tenant == null) {
            return new FlagEvaluation(
                    flag.key(), false, FlagEvaluation.Reason.ERROR, FlagEvaluation.ErrorCode.NO_TENANT);
        }
        int i = flag.index;
        if (!s.loaded) {
            return new FlagEvaluation(
                    flag.key(), false, FlagEvaluation.Reason.ERROR, FlagEvaluation.ErrorCode.STORE_UNAVAILABLE);
        }
        FlagState.TenantFlags flags;
        try {
            flags = s.tenant(tenant);
        } catch (RuntimeException e) {
            LOG.warn("Could not compute the flags of tenant '{}'", tenant, e);
            return new FlagEvaluation(
                    flag.key(), false, FlagEvaluation.Reason.ERROR, FlagEvaluation.ErrorCode.STORE_UNAVAILABLE);
        }
        if (i >= flags.reason.length || flags.reason[i] == FlagState.MISSING) {
            return new FlagEvaluation(
                    flag.key(), false, FlagEvaluation.Reason.ERROR, FlagEvaluation.ErrorCode.FLAG_NOT_FOUND);
        }
        byte reason = flags.reason[i];
        boolean value = flags.value[i];
        if (user != null && reason == FlagState.DEFAULT) {
            int rollout = s.definitions[i].userRollout();
            if (rollout > 0 && Rollout.userBucket(flags.userSeed[i], user) < rollout) {
                return new FlagEvaluation(flag.key(), true, FlagEvaluation.Reason.ROLLOUT, null);
            }
        }
        return new FlagEvaluation(flag.key(), value, FlagEvaluation.Reason.values()[reason], null);
    }

    /** How many tenants' snapshots the current state keeps (for tests: unknown tenants are not kept). */
    int keptSnapshots() {
        return state.kept();
    }

    /** The current tenant's snapshot; {@code null} when no tenant is bound. */
    private FlagState.TenantFlags current() {
        FlagState.TenantFlags seen = snapshots.get();
        FlagState s = state;
        if (seen != null && seen.state == s) {
            return seen;
        }
        if (!(TenantContext.binding() instanceof TenantBinding.Bound bound)) {
            return null;
        }
        FlagState.TenantFlags flags;
        try {
            flags = s.tenant(bound.id());
        } catch (RuntimeException e) {
            LOG.warn("Could not compute the flags of tenant '{}'", bound.id(), e);
            return null;
        }
        snapshots.put(flags);
        return flags;
    }

    void count(Flag flag) {
        if (countEvaluations) {
            LongAdder[] byIndex = counterByIndex;
            if (flag.index < byIndex.length) {
                byIndex[flag.index].increment();
            }
        }
    }

    long evaluations(Flag flag) {
        LongAdder[] byIndex = counterByIndex;
        return flag.index < byIndex.length ? byIndex[flag.index].sum() : 0;
    }

    // ---- refresh --------------------------------------------------------------------------

    /**
     * Calls {@code listener} after each change that reaches this node's evaluations (a definition,
     * an override, an override's expiry, a tenant's plan tier; made here or on another node), with
     * the keys of the flags whose values may now differ. It runs on the thread that applied the
     * change (the flags' refresh thread, or the caller of {@code define}, {@code override}, ...):
     * keep it short. An exception it throws is logged and ignored. Closing the result unsubscribes.
     */
    public AutoCloseable onChange(Consumer<Set<String>> listener) {
        Consumer<Set<String>> subscriber = Objects.requireNonNull(listener, "listener")::accept;
        listeners.add(subscriber);
        return () -> listeners.remove(subscriber);
    }

    private void tellListeners(Set<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        for (Consumer<Set<String>> listener : listeners) {
            try {
                listener.accept(keys);
            } catch (RuntimeException e) {
                LOG.warn("A flag change listener failed on the change of {}", keys, e);
            }
        }
    }

    /** Reloads everything from the store, and every tenant's tier from the catalog, now. */
    public void refresh() {
        reload(true);
    }

    /** Reloads from the store; {@code tiersMoved}: tenants' tiers may have changed too. */
    /**
     * Rebuilds unless the state is already at the store's version: a change is heard twice (the
     * writer reloads, and the store's notification reaches the refresh thread), and a second
     * rebuild would drop the snapshots computed in between, and with them the tiers a later plan
     * change is compared with.
     */
    private void reloadIfBehind() {
        reload(false, false);
    }

    /** Rebuilds from the store whatever its version (an expiry, a plan change, {@link #refresh()}). */
    private void reload(boolean tiersMoved) {
        reload(tiersMoved, true);
    }

    private void reload(boolean tiersMoved, boolean evenIfCurrent) {
        synchronized (refreshLock) {
            try {
                long version = store.version();
                if (evenIfCurrent || version != state.version) {
                    rebuild(version, store.definitions(), store.overrides(), true, tiersMoved);
                }
            } catch (RuntimeException e) {
                LOG.warn("Could not load feature flags; keeping the state of version {}", state.version, e);
            }
        }
    }

    private void refreshIfChanged() {
        try {
            if (store.version() != state.version) {
                reloadIfBehind();
                return;
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not poll the feature flag store", e);
            return;
        }
        try {
            if (state.tiersChanged()) {
                reload(true);
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not read tenants' plan tiers from the catalog; keeping the current snapshots", e);
        }
    }

    /**
     * A tenant changed in the catalog (on any node, for a JDBC catalog on PostgreSQL): if its
     * snapshot was computed with another tier, rebuild. Checked on the refresh thread, a burst of
     * changes (a plan migration over many tenants) in few passes.
     */
    private void tenantChanged(TenantId id) {
        catalogChanges.incrementAndGet(); // the catalog's cache has dropped the entry already
        if (id == null) {
            execute(this::refreshIfChanged);
        } else {
            recheckTier(id);
        }
    }

    private void recheckTier(TenantId id) {
        if (tierChecks.add(id)) {
            execute(this::checkTiers);
        }
    }

    private void execute(Runnable task) {
        try {
            scheduler.execute(task);
        } catch (RejectedExecutionException closed) {
            // closed meanwhile: nothing left to keep current
        }
    }

    private void checkTiers() {
        try {
            FlagState s = state;
            boolean changed = false;
            for (TenantId id : List.copyOf(tierChecks)) {
                tierChecks.remove(id);
                changed |= s.tierChanged(id);
            }
            if (changed) {
                reload(true);
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not read tenants' plan tiers from the catalog; keeping the current snapshots", e);
        }
    }

    private void rebuild(
            long version,
            List<FlagDefinition> definitions,
            List<FlagOverride> overrides,
            boolean loaded,
            boolean tiersMoved) {
        for (FlagDefinition d : definitions) {
            handles.computeIfAbsent(d.key(), k -> new Flag(this, k, handles.size(), snapshots, countEvaluations));
        }
        FlagDefinition[] byIndex = new FlagDefinition[handles.size()];
        Map<String, FlagDefinition> byKey = new java.util.HashMap<>();
        definitions.forEach(d -> byKey.put(d.key(), d));
        handles.values().forEach(h -> byIndex[h.index] = byKey.get(h.key()));
        LongAdder[] adders = new LongAdder[byIndex.length];
        handles.values().forEach(h -> adders[h.index] = counters.computeIfAbsent(h.key(), k -> new LongAdder()));
        counterByIndex = adders;
        Instant now = clock.instant();
        FlagState replaced = state;
        FlagState next =
                new FlagState(version, loaded, byIndex, overrides, catalog, now, catalogChanges, this::recheckTier);
        if (!tiersMoved) {
            next.carryTiersFrom(replaced); // after a plan change every plan rule was reported; start afresh
        }
        state = next;
        for (Flag h : handles.values()) {
            h.everyTenant = countEvaluations ? FlagState.VARIES : state.everyTenant[h.index];
        }
        replaced.retire();
        tellListeners(state.keysChangedSince(replaced, tiersMoved));
        scheduleExpiry(FlagState.nextExpiry(overrides, now), now);
    }

    private void scheduleExpiry(Instant next, Instant now) {
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
        if (next != null) {
            long delay = Math.max(0, Duration.between(now, next).toMillis()) + 1;
            expiry = scheduler.schedule(() -> reload(false), delay, TimeUnit.MILLISECONDS);
        }
    }

    // ---- changes --------------------------------------------------------------------------

    /** Creates or replaces a flag definition. */
    public void define(FlagDefinition definition, Actor actor, String reason) {
        ReadOnlyScopeException.refuseIfReadOnly("define a flag");
        store.define(definition, actor, reason);
        reloadIfBehind();
    }

    /** Sets overrides for many tenants in one transaction (for example a beta for five customers). */
    public void override(List<FlagOverride> overrides, Actor actor) {
        ReadOnlyScopeException.refuseIfReadOnly("override flags");
        store.override(overrides, actor);
        reloadIfBehind();
    }

    /** Sets one tenant's override. */
    public void override(FlagOverride override, Actor actor) {
        ReadOnlyScopeException.refuseIfReadOnly("override a flag");
        override(List.of(override), actor);
    }

    /** Removes one tenant's override. */
    public void clearOverride(TenantId tenant, String key, Actor actor, String reason) {
        ReadOnlyScopeException.refuseIfReadOnly("clear a flag override");
        store.clearOverride(tenant, key, actor, reason);
        reloadIfBehind();
    }

    /**
     * Enables {@code module} for {@code tenant} together with every module it requires,
     * transitively, in one transaction.
     *
     * @throws IllegalArgumentException when the module or one it requires is not defined
     */
    public Set<String> enableModule(TenantId tenant, String module, Actor actor, String reason) {
        ReadOnlyScopeException.refuseIfReadOnly("enable a module");
        return enableModules(tenant, Set.of(module), actor, reason);
    }

    /** Enables every module of {@code bundle} (and what they require) for {@code tenant}. */
    public Set<String> enableBundle(TenantId tenant, ModuleBundle bundle, Actor actor, String reason) {
        ReadOnlyScopeException.refuseIfReadOnly("enable a bundle");
        return enableModules(tenant, bundle.modules(), actor, reason + " (bundle " + bundle.key() + ")");
    }

    private Set<String> enableModules(TenantId tenant, Set<String> modules, Actor actor, String reason) {
        Map<String, FlagDefinition> defs = new java.util.HashMap<>();
        store.definitions().forEach(d -> defs.put(d.key(), d));
        Set<String> closure = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(modules);
        while (!todo.isEmpty()) {
            String key = todo.pop();
            FlagDefinition d = defs.get(key);
            if (d == null) {
                throw new IllegalArgumentException(
                        "Module '" + key + "' is not defined: define it (category MODULE) first");
            }
            if (closure.add(key)) {
                todo.addAll(d.requires());
            }
        }
        List<FlagOverride> on = new ArrayList<>();
        for (String key : closure) {
            String why = modules.contains(key) ? reason : reason + " (required by " + modules + ")";
            on.add(FlagOverride.on(tenant, key, why));
        }
        override(on, actor);
        return closure;
    }

    /**
     * Disables {@code module} for {@code tenant}.
     *
     * @throws ModuleDependencyException naming both when a module that requires it is enabled
     */
    public void disableModule(TenantId tenant, String module, Actor actor, String reason) {
        ReadOnlyScopeException.refuseIfReadOnly("disable a module");
        Objects.requireNonNull(tenant, "tenant");
        reloadIfBehind();
        FlagState s = state;
        FlagState.TenantFlags flags = s.tenant(tenant);
        List<String> dependents = new ArrayList<>();
        for (FlagDefinition d : s.definitions) {
            if (d != null && d.requires().contains(module) && flags.value[flag(d.key()).index]) {
                dependents.add(d.key());
            }
        }
        if (!dependents.isEmpty()) {
            dependents.sort(null);
            throw new ModuleDependencyException(tenant, module, dependents);
        }
        override(FlagOverride.off(tenant, module, reason), actor);
    }

    @Override
    public void close() {
        try {
            catalogSubscription.close();
        } catch (Exception e) {
            LOG.debug("Closing the catalog subscription failed", e);
        }
        scheduler.shutdownNow();
        try {
            subscription.close();
        } catch (Exception e) {
            LOG.debug("Closing the flag store subscription failed", e);
        }
    }

    /** Builds {@link FeatureFlags}. */
    public static final class Builder {
        private FlagStore store;
        private TenantCatalog catalog;
        private InstantSource clock = InstantSource.system();
        private Duration pollInterval = Duration.ofMinutes(5);
        private boolean countEvaluations;

        private Builder() {}

        /** Where definitions and overrides live. Required. */
        public Builder store(FlagStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** Where tenants' plan tiers are read (use a cached catalog); without it, plan rules never match. */
        public Builder catalog(TenantCatalog catalog) {
            this.catalog = Objects.requireNonNull(catalog, "catalog");
            return this;
        }

        /**
         * How often the store's version, and the catalog's tier of each tenant evaluated so far, are
         * polled: the safety net behind notifications; 5 minutes by default.
         */
        public Builder pollInterval(Duration pollInterval) {
            if (pollInterval == null || pollInterval.isNegative() || pollInterval.isZero()) {
                throw new IllegalArgumentException("pollInterval " + pollInterval + " must be positive");
            }
            this.pollInterval = pollInterval;
            return this;
        }

        /** The clock override expiries are measured by. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Counts boolean evaluations per flag ({@link Flag#evaluations()}); a few nanoseconds each. Off by default. */
        public Builder countEvaluations(boolean countEvaluations) {
            this.countEvaluations = countEvaluations;
            return this;
        }

        public FeatureFlags build() {
            if (store == null) {
                throw new IllegalStateException("FeatureFlags needs store(FlagStore)");
            }
            return new FeatureFlags(this);
        }
    }
}
