package dev.tenancy.flags;

import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantQuery;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything loaded from the store at one version, indexed by the flags' handle numbers, and the
 * per-tenant snapshots computed from it on first use. Immutable but for the snapshot cache; a
 * change anywhere builds a new state, which drops every snapshot at once.
 */
final class FlagState {
    private static final Logger LOG = LoggerFactory.getLogger(FlagState.class);

    static final byte OVERRIDE = 0;
    static final byte ALLOWLIST = 1;
    static final byte PLAN = 2;
    static final byte ROLLOUT = 3;
    static final byte DEFAULT = 4;
    static final byte MISSING = 5;

    /** {@link #everyTenant} values. */
    static final byte VARIES = 0;

    static final byte OFF = 1;
    static final byte ON = 2;

    final long version;
    final boolean loaded;
    final FlagDefinition[] definitions; // by handle index; null when not defined
    private final Map<TenantId, Map<String, FlagOverride>> overrides;

    /**
     * By handle index: {@link #ON} or {@link #OFF} when the flag's boolean value is the same for
     * every tenant (no active override, allowlist, plan rule or rollout by tenant; an undefined flag
     * is off), {@link #VARIES} otherwise. A rollout by user leaves it set: it applies only to checks
     * that name a user.
     */
    final byte[] everyTenant;

    private final TenantCatalog catalog;
    private final Instant builtAt;
    private final ConcurrentHashMap<TenantId, TenantFlags> tenants = new ConcurrentHashMap<>();
    private volatile boolean retired;

    /**
     * The tiers of tenants evaluated in earlier states since the last plan change was applied (set
     * before this state is published): a tenant evaluated before a flag change and not since still
     * has its plan change heard and told to listeners.
     */
    private Map<TenantId, String> earlierTiers = Map.of();

    /** Catalog changes heard so far; one that lands while a snapshot is computed asks for a recheck. */
    private final AtomicLong catalogChanges;

    private final Consumer<TenantId> recheckTier;

    /** What a retired snapshot's {@link TenantFlags#live} holds: no values, so every check misses. */
    static final boolean[] RETIRED = new boolean[0];

    /** One tenant's values of every flag, as of this state. */
    static final class TenantFlags {
        final FlagState state;
        final TenantId tenant;
        final String tier; // the catalog's tier when computed; null without a catalog or an unknown tenant
        final boolean[] value;
        /**
         * {@link #value} while this snapshot's state is the current one, then {@link #RETIRED}: the
         * boolean check for the current tenant reads only this (its bounds check doubles as the
         * staleness check), so a change costs it nothing until it happens.
         */
        volatile boolean[] live;

        /** Whether the catalog knows the tenant (always, without a catalog): only then is the snapshot kept. */
        boolean known;

        final byte[] reason;
        final long[] userSeed; // rollout hash state after flag key + tenant; for user rollouts
        final int[] userRollout; // the user rollout that applies (basis points), 0 unless the value is the default
        final String[] config;

        /** {@link #config} read as an application type, by index, on first use. */
        private final Payload[] payloads;

        TenantFlags(FlagState state, TenantId tenant, String tier, int size) {
            this.state = state;
            this.tenant = tenant;
            this.tier = tier;
            this.value = new boolean[size];
            this.live = value;
            this.reason = new byte[size];
            this.userSeed = new long[size];
            this.userRollout = new int[size];
            this.config = new String[size];
            this.payloads = new Payload[size];
        }

        /**
         * The payload of flag {@code i} read as {@code type}: parsed on first use and kept (racy
         * but safe: a {@link Payload} is immutable, so a thread that sees one sees it whole); empty
         * when there is none or it is not a {@code type} (logged once per snapshot and type).
         */
        @SuppressWarnings("unchecked")
        <T> Optional<T> payload(int i, Class<T> type) {
            String json = config[i];
            if (json == null) {
                return Optional.empty();
            }
            Payload read = payloads[i];
            if (read == null || read.type() != type) {
                read = new Payload(type, parse(json, i, type));
                payloads[i] = read;
            }
            return (Optional<T>) read.value();
        }

        private <T> Optional<T> parse(String json, int i, Class<T> type) {
            try {
                return Optional.ofNullable(FlagJson.read(json, type));
            } catch (RuntimeException e) {
                LOG.warn(
                        "The configuration of flag '{}' for tenant '{}' is not a {}; it reads as empty: {}",
                        state.definitions[i].key(),
                        tenant,
                        type.getName(),
                        e.getMessage());
                return Optional.empty();
            }
        }
    }

    /** A payload read as {@code type}. */
    record Payload(Class<?> type, Optional<?> value) {}

    FlagState(
            long version,
            boolean loaded,
            FlagDefinition[] definitions,
            List<FlagOverride> overrides,
            TenantCatalog catalog,
            Instant builtAt,
            AtomicLong catalogChanges,
            Consumer<TenantId> recheckTier) {
        this.version = version;
        this.loaded = loaded;
        this.definitions = definitions;
        this.catalog = catalog;
        this.builtAt = builtAt;
        this.catalogChanges = catalogChanges;
        this.recheckTier = recheckTier;
        Map<TenantId, Map<String, FlagOverride>> byTenant = new HashMap<>();
        for (FlagOverride o : overrides) {
            if (o.activeAt(builtAt)) {
                byTenant.computeIfAbsent(o.tenant(), t -> new HashMap<>()).put(o.flagKey(), o);
            }
        }
        this.overrides = byTenant;
        this.everyTenant = everyTenant(definitions, byTenant);
    }

    private static byte[] everyTenant(
            FlagDefinition[] definitions, Map<TenantId, Map<String, FlagOverride>> overrides) {
        Set<String> overridden = new HashSet<>();
        overrides.values().forEach(own -> overridden.addAll(own.keySet()));
        byte[] same = new byte[definitions.length];
        for (int i = 0; i < definitions.length; i++) {
            FlagDefinition d = definitions[i];
            if (d == null) {
                same[i] = OFF;
            } else if (overridden.contains(d.key())
                    || !d.allowlist().isEmpty()
                    || !d.tiers().isEmpty()
                    || d.tenantRollout() > 0) {
                same[i] = VARIES;
            } else {
                same[i] = d.defaultValue() ? ON : OFF;
            }
        }
        return same;
    }

    /** How many tenants' snapshots this state keeps. */
    int kept() {
        return tenants.size();
    }

    /** The snapshot of {@code tenant}, computed once per state (kept only for tenants the catalog knows). */
    TenantFlags tenant(TenantId tenant) {
        TenantFlags flags = tenants.get(tenant);
        if (flags == null) {
            long changesBefore = catalogChanges.get();
            TenantFlags computed = compute(tenant);
            if (!computed.known || tenants.size() >= MAX_SNAPSHOTS) {
                // A tenant the catalog does not know (or past the bound, without a catalog): answered,
                // not kept, so unknown ids cannot grow memory. Its values are the definitions' for it.
                computed.live = RETIRED;
                return computed;
            }
            flags = tenants.putIfAbsent(tenant, computed);
            if (flags == null) {
                flags = computed;
            }
            if (retired) {
                flags.live = RETIRED; // computed as retire() ran: it may not have seen this one
            }
            if (catalogChanges.get() != changesBefore) {
                recheckTier.accept(tenant); // the tier it read may be older than a change just heard
            }
        }
        return flags;
    }

    /**
     * Marks every snapshot of this state stale, once a newer state has been published: evaluations
     * that cached one on their scope recompute from the new state.
     */
    void retire() {
        retired = true;
        for (TenantFlags flags : tenants.values()) {
            flags.live = RETIRED;
        }
    }

    /** At most this many tenants' snapshots are kept per state when there is no catalog to say which exist. */
    static final int MAX_SNAPSHOTS = 100_000;

    private TenantFlags compute(TenantId id) {
        Tenant known = catalog == null ? null : catalog.find(id).orElse(null);
        String tier = known == null ? null : known.tier();
        Map<String, FlagOverride> own = overrides.getOrDefault(id, Map.of());
        TenantFlags flags = new TenantFlags(this, id, tier, definitions.length);
        flags.known = catalog == null || known != null;
        for (int i = 0; i < definitions.length; i++) {
            FlagDefinition d = definitions[i];
            if (d == null) {
                flags.reason[i] = MISSING;
                continue;
            }
            flags.config[i] = d.config();
            flags.userSeed[i] = Rollout.tenantSeed(d.key(), id.value());
            FlagOverride o = own.get(d.key());
            if (o != null) {
                set(flags, i, o.enabled(), OVERRIDE);
                if (o.config() != null) {
                    flags.config[i] = o.config();
                }
            } else if (d.allowlist().contains(id)) {
                set(flags, i, true, ALLOWLIST);
            } else if (tier != null && d.tiers().contains(tier)) {
                set(flags, i, true, PLAN);
            } else if (d.tenantRollout() > 0 && Rollout.bucket(flags.userSeed[i]) < d.tenantRollout()) {
                set(flags, i, true, ROLLOUT);
            } else {
                set(flags, i, d.defaultValue(), DEFAULT);
                flags.userRollout[i] = d.userRollout();
            }
        }
        return flags;
    }

    private String tierOf(TenantId id) {
        return catalog == null ? null : catalog.find(id).map(Tenant::tier).orElse(null);
    }

    /** Carries the tiers {@code replaced} computed (and had carried) into this state, before it is published. */
    void carryTiersFrom(FlagState replaced) {
        Map<TenantId, String> tiers = new HashMap<>(replaced.earlierTiers);
        for (TenantFlags flags : replaced.tenants.values()) {
            tiers.put(flags.tenant, flags.tier);
        }
        earlierTiers = tiers;
    }

    /** Whether {@code id} was evaluated in this state or, since the last plan change, in an earlier one. */
    private boolean evaluated(TenantId id) {
        return tenants.containsKey(id) || earlierTiers.containsKey(id);
    }

    /** The tier {@code id}'s values were last computed with; see {@link #evaluated}. */
    private String tierSeen(TenantId id) {
        TenantFlags flags = tenants.get(id);
        return flags != null ? flags.tier : earlierTiers.get(id);
    }

    /**
     * Whether the catalog now lists another tier for a tenant whose snapshot was computed: a plan
     * change (an upgrade, a downgrade) made after this state was built. Reads the catalog's listing
     * a page of {@value TenantQuery#MAX_LIMIT} at a time (one query per page on a JDBC catalog, not
     * one per tenant), and looks up only the computed tenants the listing did not show (unknown to
     * the catalog, or shifted between pages by a concurrent change).
     */
    boolean tiersChanged() {
        if (catalog == null || (tenants.isEmpty() && earlierTiers.isEmpty())) {
            return false;
        }
        Set<TenantId> unseen = new HashSet<>(tenants.keySet());
        unseen.addAll(earlierTiers.keySet());
        for (int offset = 0; !unseen.isEmpty(); offset += TenantQuery.MAX_LIMIT) {
            List<Tenant> page = catalog.list(TenantQuery.builder()
                            .sort(TenantQuery.Sort.CREATED, false)
                            .offset(offset)
                            .limit(TenantQuery.MAX_LIMIT)
                            .build())
                    .items();
            for (Tenant tenant : page) {
                if (unseen.remove(tenant.id()) && !tenant.tier().equals(tierSeen(tenant.id()))) {
                    return true;
                }
            }
            if (page.size() < TenantQuery.MAX_LIMIT) {
                break;
            }
        }
        for (TenantId id : unseen) {
            if (!Objects.equals(tierOf(id), tierSeen(id))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The keys of the flags that may evaluate differently in this state than in {@code older}: a
     * definition or an active override differs; with {@code tiersMoved}, also every flag with plan
     * rules (tenants' tiers may have changed).
     */
    Set<String> keysChangedSince(FlagState older, boolean tiersMoved) {
        Set<String> keys = new TreeSet<>();
        for (int i = 0; i < Math.max(definitions.length, older.definitions.length); i++) {
            FlagDefinition now = i < definitions.length ? definitions[i] : null;
            FlagDefinition before = i < older.definitions.length ? older.definitions[i] : null;
            if (!Objects.equals(now, before)) {
                keys.add(now != null ? now.key() : before.key());
            } else if (tiersMoved && now != null && !now.tiers().isEmpty()) {
                keys.add(now.key());
            }
        }
        Set<TenantId> tenantsWithOverrides = new HashSet<>(overrides.keySet());
        tenantsWithOverrides.addAll(older.overrides.keySet());
        for (TenantId tenant : tenantsWithOverrides) {
            Map<String, FlagOverride> now = overrides.getOrDefault(tenant, Map.of());
            Map<String, FlagOverride> before = older.overrides.getOrDefault(tenant, Map.of());
            for (String key : now.keySet()) {
                if (!now.get(key).equals(before.get(key))) {
                    keys.add(key);
                }
            }
            for (String key : before.keySet()) {
                if (!now.containsKey(key)) {
                    keys.add(key);
                }
            }
        }
        return Collections.unmodifiableSet(keys);
    }

    /**
     * Whether the catalog now lists another tier for {@code id} than its values were last computed
     * with; {@code false} when they were not computed since the last plan change.
     */
    boolean tierChanged(TenantId id) {
        return evaluated(id) && !Objects.equals(tierOf(id), tierSeen(id));
    }

    private static void set(TenantFlags flags, int i, boolean value, byte reason) {
        flags.value[i] = value;
        flags.reason[i] = reason;
    }

    /** The earliest expiry after this state was built, when a recomputation is due; {@code null} for none. */
    static Instant nextExpiry(List<FlagOverride> overrides, Instant now) {
        Instant next = null;
        for (FlagOverride o : overrides) {
            Instant at = o.expiresAt();
            if (at != null && at.isAfter(now) && (next == null || at.isBefore(next))) {
                next = at;
            }
        }
        return next;
    }

    Instant builtAt() {
        return builtAt;
    }
}
