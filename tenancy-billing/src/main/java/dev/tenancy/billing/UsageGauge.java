package dev.tenancy.billing;

import dev.tenancy.TenantId;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * A metric whose usage is measured rather than counted: seats (from the host's user store),
 * custom domains (from the catalog), storage (from {@link dev.tenancy.provision.TenantSizes}).
 * {@link UsageMeter} checks a gauged metric's limit against what the gauge measures now: {@code
 * tryConsume(tenant, Metric.USERS, 1)} before adding a user says whether one more fits.
 *
 * <pre>{@code
 * billing.meter().gauge(UsageGauge.of(Metric.USERS, tenant -> users.countOf(tenant))).build();
 * }</pre>
 */
public interface UsageGauge {

    /** The metric it measures. */
    Metric metric();

    /** What {@code tenant} uses of it now. */
    long current(TenantId tenant);

    /** A gauge of {@code metric} measured by {@code current}. */
    static UsageGauge of(Metric metric, ToLongFunction<TenantId> current) {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(current, "current");
        return new UsageGauge() {
            @Override
            public Metric metric() {
                return metric;
            }

            @Override
            public long current(TenantId tenant) {
                return current.applyAsLong(tenant);
            }

            @Override
            public String toString() {
                return "UsageGauge[" + metric + "]";
            }
        };
    }
}
