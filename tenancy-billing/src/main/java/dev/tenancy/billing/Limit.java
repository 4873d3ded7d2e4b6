package dev.tenancy.billing;

import java.util.Objects;

/**
 * How much of a metric a plan allows. A {@linkplain Enforcement#HARD hard} limit is never exceeded:
 * usage past it is refused. A {@linkplain Enforcement#SOFT soft} limit lets usage go on and bills
 * each unit over it at {@link #overagePrice()} per unit. {@link #UNLIMITED} allows everything.
 *
 * @param max the most allowed per period, {@code >= 0}; {@link Long#MAX_VALUE} for unlimited
 * @param enforcement hard or soft
 * @param overagePrice price per unit over a soft limit, or {@code null} for none
 */
public record Limit(long max, Enforcement enforcement, Money overagePrice) {
    /** No limit. */
    public static final Limit UNLIMITED = new Limit(Long.MAX_VALUE, Enforcement.SOFT, null);

    /** What happens at the limit. */
    public enum Enforcement {
        /** Usage past the limit is refused. */
        HARD,
        /** Usage past the limit is allowed and billed as overage. */
        SOFT
    }

    public Limit {
        Objects.requireNonNull(enforcement, "enforcement");
        if (max < 0) {
            throw new IllegalArgumentException("A limit cannot be negative, was " + max
                    + ": use 0 to allow nothing or Limit.UNLIMITED for no limit");
        }
        if (overagePrice != null && overagePrice.minor() < 0) {
            throw new IllegalArgumentException("An overage price cannot be negative, was " + overagePrice);
        }
    }

    public static Limit hard(long max) {
        return new Limit(max, Enforcement.HARD, null);
    }

    public static Limit soft(long max, Money overagePrice) {
        return new Limit(max, Enforcement.SOFT, overagePrice);
    }

    public boolean unlimited() {
        return max == Long.MAX_VALUE;
    }

    /** The same enforcement and overage price with another maximum. */
    public Limit withMax(long newMax) {
        return new Limit(newMax, enforcement, overagePrice);
    }

    @Override
    public String toString() {
        return unlimited() ? "unlimited" : enforcement.name().toLowerCase(java.util.Locale.ROOT) + " " + max;
    }
}
