package dev.tenancy.billing;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * A per-tenant exception to the plan, granted by platform staff with a reason and a validity (see
 * {@link Subscriptions#grant}): negotiated pricing, a custom limit, a comp, a longer trial, another
 * billing cycle or payment method, or free platform access. The newest grant of a kind (per metric
 * for limits) wins while it is valid.
 */
public sealed interface BillingOverride {

    /** The kind's key as stored and audited, such as {@code percent_off}. */
    String kind();

    /**
     * A discount off the list price of every recurring line (plan, modules, bundles): 1,500 basis
     * points is 15 % off.
     */
    record PercentOff(int basisPoints) implements BillingOverride {
        public PercentOff {
            if (basisPoints < 1 || basisPoints > 10_000) {
                throw new IllegalArgumentException("A discount is more than 0 % and at most 100 %, was "
                        + BigDecimal.valueOf(basisPoints, 2)
                                .stripTrailingZeros()
                                .toPlainString()
                        + " %: use a comp for free service");
            }
        }

        /** {@code percent} such as "15" or "12.5" percent off. */
        public static PercentOff of(String percent) {
            BigDecimal p;
            try {
                p = new BigDecimal(percent.trim());
            } catch (NumberFormatException | NullPointerException e) {
                throw new IllegalArgumentException(
                        "'" + percent + "' is not a percentage: write it like \"15\" or \"12.5\"");
            }
            if (p.scale() > 2) {
                throw new IllegalArgumentException(
                        "A discount has at most two decimals (basis points), was " + percent + " %");
            }
            if (p.signum() <= 0 || p.compareTo(BigDecimal.valueOf(100)) > 0) {
                throw new IllegalArgumentException("A discount is more than 0 % and at most 100 %, was " + percent
                        + " %: use a comp for free service");
            }
            return new PercentOff(p.movePointRight(2).intValueExact());
        }

        @Override
        public String kind() {
            return "percent_off";
        }
    }

    /** A negotiated price per month that replaces the plan's and the modules' list prices. */
    record FixedPrice(Money monthly) implements BillingOverride {
        public FixedPrice {
            Objects.requireNonNull(monthly, "monthly");
            if (monthly.minor() < 0) {
                throw new IllegalArgumentException("A fixed price cannot be negative, was " + monthly);
            }
        }

        @Override
        public String kind() {
            return "fixed_price";
        }
    }

    /** Another limit on one metric than the plan's. */
    record LimitOverride(String metric, Limit limit) implements BillingOverride {
        public LimitOverride {
            metric = new Metric(metric, false).key();
            Objects.requireNonNull(limit, "limit");
        }

        @Override
        public String kind() {
            return "limit:" + metric;
        }
    }

    /** Free service (partnerships, marketing): nothing is invoiced while it is valid. */
    record Comp() implements BillingOverride {
        @Override
        public String kind() {
            return "comp";
        }
    }

    /** A trial longer by {@code days} days. */
    record ExtendedTrial(int days) implements BillingOverride {
        public ExtendedTrial {
            if (days < 1 || days > 365) {
                throw new IllegalArgumentException("A trial extension is 1 to 365 days, was " + days);
            }
        }

        @Override
        public String kind() {
            return "extended_trial";
        }
    }

    /** Another billing cycle and anchor day than the subscription's. */
    record CustomCycle(BillingCycle cycle, int anchorDay) implements BillingOverride {
        public CustomCycle {
            Objects.requireNonNull(cycle, "cycle");
            if (anchorDay < 1 || anchorDay > 31) {
                throw new IllegalArgumentException("The anchor day is a day of the month, 1 to 31, was " + anchorDay);
            }
        }

        @Override
        public String kind() {
            return "custom_cycle";
        }
    }

    /** Pay by another method than the subscription's (invoice, ACH or wire instead of card). */
    record PaymentMethodOverride(PaymentMethod method) implements BillingOverride {
        public PaymentMethodOverride {
            Objects.requireNonNull(method, "method");
        }

        @Override
        public String kind() {
            return "payment_method";
        }
    }

    /** Free platform access (internal demos, partner test environments): the cycle skips the tenant. */
    record FreePlatformAccess() implements BillingOverride {
        @Override
        public String kind() {
            return "free_platform_access";
        }
    }
}
