package dev.tenancy.flags;

import dev.tenancy.TenantId;

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

    Flag(FeatureFlags flags, String key, int index) {
        this.flags = flags;
        this.key = key;
        this.index = index;
    }

    public String key() {
        return key;
    }

    /** For the current tenant; {@code false} when no tenant is bound. */
    public boolean isEnabled() {
        return flags.isEnabled(this);
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

    /** How many times this flag was evaluated through boolean checks on this node. */
    public long evaluations() {
        return flags.evaluations(this);
    }

    @Override
    public String toString() {
        return "Flag[" + key + "]";
    }
}
