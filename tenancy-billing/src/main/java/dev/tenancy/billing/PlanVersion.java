package dev.tenancy.billing;

import java.time.Instant;
import java.util.Objects;

/**
 * One published, immutable version of a plan. A new price or limit publishes a new version;
 * subscriptions stay on the version they hold until moved (grandfathering).
 *
 * @param plan what this version offers and costs
 * @param version 1 for the first version of the plan's key, then 2, 3, ...
 * @param publishedAt when it was published
 */
public record PlanVersion(Plan plan, int version, Instant publishedAt) {
    public PlanVersion {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(publishedAt, "publishedAt");
        if (version < 1) {
            throw new IllegalArgumentException("Plan versions start at 1, was " + version);
        }
    }

    public String key() {
        return plan.key();
    }

    /** For example {@code professional@2}. */
    public String ref() {
        return plan.key() + "@" + version;
    }
}
