package dev.tenancy.flags;

import dev.tenancy.TenantId;
import dev.tenancy.context.ScopeCache;
import dev.tenancy.context.TenantBinding;
import dev.tenancy.context.TenantContext;

/**
 * A handle on one flag, to keep in a field: evaluating through it costs a few array reads (no
 * lookup by key, no allocation, no I/O, no clock). Obtained from {@link FeatureFlags#flag(String)};
 * a handle on a key that is not (yet) defined answers {@code false} until it is.
 *
 * <pre>{@code
 * private final Flag analytics = flags.flag("advanced-analytics");
 * if (analytics.isEnabled()) { ... }                 // the current tenant
 * if (analytics.isEnabledFor(user.id())) { ... }     // the current tenant, rollout by user
 * }</pre>
 */
public final class Flag {
    private final FeatureFlags flags;
    private final String key;
    final int index;

    /** The evaluator's cache of the current tenant's snapshot on the bound scope. */
    private final ScopeCache<FlagState.TenantFlags> snapshots;

    private final boolean counted;

    /**
     * {@link FlagState#ON} or {@link FlagState#OFF} while this flag has that value for every tenant
     * in the evaluator's current state, else (and whenever evaluations are counted) {@link
     * FlagState#VARIES}; set by the evaluator each time it publishes a state.
     */
    volatile byte everyTenant = FlagState.VARIES;

    Flag(FeatureFlags flags, String key, int index, ScopeCache<FlagState.TenantFlags> snapshots, boolean counted) {
        this.flags = flags;
        this.key = key;
        this.index = index;
        this.snapshots = snapshots;
        this.counted = counted;
    }

    public String key() {
        return key;
    }

    /** For the current tenant; {@code false} when no tenant is bound. */
    public boolean isEnabled() {
        // The hot path: a handful of reads, no allocation. A flag with one value for every tenant
        // needs only to know that a tenant is bound; any other reads the tenant's snapshot cached
        // on the bound scope, whose live values are emptied once a newer state replaces it.
        byte same = everyTenant;
        if (same != FlagState.VARIES) {
            return same == FlagState.ON && TenantContext.binding() instanceof TenantBinding.Bound;
        }
        FlagState.TenantFlags seen = snapshots.get();
        if (seen != null) {
            boolean[] live = seen.live;
            int i = index;
            if (i < live.length) {
                if (counted) {
                    flags.count(this);
                }
                return live[i];
            }
        }
        return flags.isEnabledForTheCurrentTenant(this);
    }

    /** For the current tenant and {@code user} (rollout by user); {@code false} when no tenant is bound. */
    public boolean isEnabledFor(String user) {
        return flags.isEnabled(this, user);
    }

    /** For {@code tenant}. */
    public boolean isEnabled(TenantId tenant) {
        return flags.isEnabled(this, tenant, null);
    }

    /** For {@code user} within {@code tenant}. */
    public boolean isEnabled(TenantId tenant, String user) {
        return flags.isEnabled(this, tenant, user);
    }

    /** The value with its reason, for {@code tenant} and (optionally, {@code null}) {@code user}. */
    public FlagEvaluation evaluate(TenantId tenant, String user) {
        return flags.evaluate(this, tenant, user);
    }

    /**
     * A handle on this flag's configuration payload read as {@code type}: what applies while the
     * flag is on, parsed once per change. Keep it in a field.
     */
    public <T> FlagConfig<T> config(Class<T> type) {
        return new FlagConfig<>(this, flags, type);
    }

    /** How many times this flag was evaluated through boolean checks on this node. */
    public long evaluations() {
        return flags.evaluations(this);
    }

    @Override
    public String toString() {
        return "Flag[" + key + "]";
    }
}
