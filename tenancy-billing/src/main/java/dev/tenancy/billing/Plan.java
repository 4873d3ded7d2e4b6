package dev.tenancy.billing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a plan offers and costs: the content of one {@link PlanVersion}. Prices are per month and
 * per year in one currency; a plan sold only by contract (Enterprise) has zero list prices and is
 * priced per tenant with a {@link BillingOverride.FixedPrice}. A metric without a limit is
 * unlimited.
 *
 * @param key the plan's stable key, such as {@code professional}
 * @param name its display name
 * @param tier the tier that feature flags and isolation read (see tenancy-flags' plan features)
 * @param monthlyPrice the price of one month
 * @param annualPrice the price of one year (usually less than 12 months)
 * @param limits per metric key
 * @param modules modules the plan includes, not charged separately
 */
public record Plan(
        String key,
        String name,
        String tier,
        Money monthlyPrice,
        Money annualPrice,
        Map<String, Limit> limits,
        Set<String> modules) {
    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_-]{0,62}");

    public Plan {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("'" + key
                    + "' is not a plan key: use 1-63 lowercase letters, digits, '-' or '_', starting with a letter");
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("Plan '" + key + "' needs a display name");
        }
        if (tier == null || tier.isBlank()) {
            throw new IllegalArgumentException("Plan '" + key + "' needs a tier");
        }
        Objects.requireNonNull(monthlyPrice, "monthlyPrice");
        Objects.requireNonNull(annualPrice, "annualPrice");
        if (!monthlyPrice.currency().equals(annualPrice.currency())) {
            throw new IllegalArgumentException("Plan '" + key + "' has a monthly price in "
                    + monthlyPrice.currency() + " and an annual price in " + annualPrice.currency()
                    + ": use one currency per plan");
        }
        if (monthlyPrice.minor() < 0 || annualPrice.minor() < 0) {
            throw new IllegalArgumentException(
                    "Plan '" + key + "' has a negative price: " + monthlyPrice + " / " + annualPrice);
        }
        Map<String, Limit> copy = new LinkedHashMap<>();
        limits.forEach((metric, limit) -> copy.put(new Metric(metric, false).key(), Objects.requireNonNull(limit)));
        limits = java.util.Collections.unmodifiableMap(copy);
        modules = Set.copyOf(modules);
    }

    /** The plan's limit on {@code metric}, unlimited when it sets none. */
    public Limit limit(String metric) {
        return limits.getOrDefault(metric, Limit.UNLIMITED);
    }

    /** Whether the plan costs nothing at list price. */
    public boolean free() {
        return monthlyPrice.isZero() && annualPrice.isZero();
    }

    /** The list price of one period of {@code cycle}: the annual price per 12 months, else monthly × months. */
    public Money price(BillingCycle cycle) {
        if (cycle.months() % 12 == 0) {
            return annualPrice.times(cycle.months() / 12);
        }
        return monthlyPrice.times(cycle.months());
    }
}
