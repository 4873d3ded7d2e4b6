package dev.tenancy.flags;

import dev.tenancy.TenantId;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A feature flag and its rules. For a tenant, the first that applies decides:
 *
 * <ol>
 *   <li>the tenant's {@link FlagOverride}, unless expired;
 *   <li>the allowlist of tenant ids: on;
 *   <li>the plan: on when the tenant's tier is one of {@link #tiers()};
 *   <li>the rollout by tenant: on for the tenants whose {@link Rollout} bucket is below it;
 *   <li>the rollout by user within a tenant, when a user is given: on for those users;
 *   <li>the default, on or off for everyone.
 * </ol>
 *
 * <pre>{@code
 * FlagDefinition.builder("advanced-analytics")
 *         .description("The new analytics dashboard")
 *         .category(FlagCategory.BETA)
 *         .allow(TenantId.of("acme"), TenantId.of("globex"))
 *         .rolloutByUser(25)
 *         .build();
 * }</pre>
 *
 * @param key lowercase letters, digits, {@code .}, {@code _}, {@code -}; at most 100 characters
 * @param config an optional JSON payload, read with {@link FeatureFlags#config}; {@code null} when none
 * @param tenantRollout basis points (hundredths of a per cent) of tenants enabled by rollout
 * @param userRollout basis points of users within a tenant enabled by rollout
 * @param requires for modules: the modules this one needs, enabled with it
 */
public record FlagDefinition(
        String key,
        String description,
        FlagCategory category,
        boolean defaultValue,
        String config,
        Set<TenantId> allowlist,
        Set<String> tiers,
        int tenantRollout,
        int userRollout,
        Set<String> requires) {

    private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");

    public FlagDefinition {
        requireKey(key);
        description = description == null ? "" : description;
        Objects.requireNonNull(category, "category");
        if (config != null) {
            FlagJson.requireValid(key, config);
        }
        allowlist = Set.copyOf(allowlist);
        tiers = Set.copyOf(tiers);
        requireBasisPoints(key, "tenant", tenantRollout);
        requireBasisPoints(key, "user", userRollout);
        requires = Set.copyOf(requires);
        requires.forEach(FlagDefinition::requireKey);
        if (requires.contains(key)) {
            throw new IllegalArgumentException("Flag '" + key + "' requires itself: remove it from requires");
        }
    }

    public static Builder builder(String key) {
        return new Builder(requireKey(key));
    }

    /** A builder holding this definition's values, to change some of them. */
    public Builder toBuilder() {
        Builder b = new Builder(key);
        b.description = description;
        b.category = category;
        b.defaultValue = defaultValue;
        b.config = config;
        b.allowlist.addAll(allowlist);
        b.tiers.addAll(tiers);
        b.tenantRollout = tenantRollout;
        b.userRollout = userRollout;
        b.requires.addAll(requires);
        return b;
    }

    /**
     * Validates a flag key.
     *
     * @throws IllegalArgumentException naming the key and the rule
     */
    public static String requireKey(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("Invalid flag key '" + key + "': use 1 to 100 lowercase letters,"
                    + " digits, '.', '_' or '-', starting with a letter or digit, like advanced-analytics");
        }
        return key;
    }

    private static void requireBasisPoints(String key, String what, int basisPoints) {
        if (basisPoints < 0 || basisPoints > Rollout.BUCKETS) {
            throw new IllegalArgumentException("Flag '" + key + "': a " + what + " rollout of " + basisPoints / 100.0
                    + " % is out of range; use 0 to 100 %");
        }
    }

    /** Builds a {@link FlagDefinition}; everything but the key is optional (off, {@link FlagCategory#CUSTOM}). */
    public static final class Builder {
        private final String key;
        private String description = "";
        private FlagCategory category = FlagCategory.CUSTOM;
        private boolean defaultValue;
        private String config;
        private final Set<TenantId> allowlist = new LinkedHashSet<>();
        private final Set<String> tiers = new LinkedHashSet<>();
        private int tenantRollout;
        private int userRollout;
        private final Set<String> requires = new LinkedHashSet<>();

        private Builder(String key) {
            this.key = key;
        }

        public Builder description(String description) {
            this.description = description;
            return this;
        }

        public Builder category(FlagCategory category) {
            this.category = Objects.requireNonNull(category, "category");
            return this;
        }

        /** On for everyone unless a rule or override says otherwise. */
        public Builder on() {
            this.defaultValue = true;
            return this;
        }

        /** Off for everyone unless a rule or override says otherwise (the default). */
        public Builder off() {
            this.defaultValue = false;
            return this;
        }

        /** A JSON payload (an object, array or value) the application reads with the flag. */
        public Builder config(String json) {
            this.config = json;
            return this;
        }

        /** On for these tenants. */
        public Builder allow(TenantId... tenants) {
            return allow(Set.of(tenants));
        }

        /** On for these tenants. */
        public Builder allow(Collection<TenantId> tenants) {
            allowlist.addAll(tenants);
            return this;
        }

        /** On for tenants on these plan tiers (the catalog's {@code tier}). */
        public Builder tiers(String... tiers) {
            this.tiers.addAll(Set.of(tiers));
            return this;
        }

        /** On for this share of tenants (0 to 100, two decimals), chosen by {@link Rollout}. */
        public Builder rolloutByTenant(double percent) {
            this.tenantRollout = basisPoints(percent);
            return this;
        }

        /** On for this share of users within each tenant (0 to 100, two decimals), chosen by {@link Rollout}. */
        public Builder rolloutByUser(double percent) {
            this.userRollout = basisPoints(percent);
            return this;
        }

        /** For a module: the modules it needs; enabling it enables them. */
        public Builder requires(String... modules) {
            this.requires.addAll(Set.of(modules));
            return this;
        }

        private int basisPoints(double percent) {
            if (!(percent >= 0 && percent <= 100)) {
                throw new IllegalArgumentException(
                        "Flag '" + key + "': a rollout of " + percent + " % is out of range; use 0 to 100 %");
            }
            return (int) Math.round(percent * 100);
        }

        public FlagDefinition build() {
            return new FlagDefinition(
                    key,
                    description,
                    category,
                    defaultValue,
                    config,
                    allowlist,
                    tiers,
                    tenantRollout,
                    userRollout,
                    requires);
        }
    }
}
