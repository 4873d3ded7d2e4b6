package dev.tenancy.billing;

import dev.tenancy.TenantId;

/**
 * One tenant's quota of one metric on one {@link UsageMeter}, held by code that checks it often
 * (a request handler, a batch job): the same checks as the meter's, without looking the quota up
 * on every call.
 *
 * <pre>{@code
 * Quota calls = meter.quota(tenant, Metric.API_CALLS);       // once per request, job or connection
 * if (!calls.tryConsume(1)) { ... 429 ... }                   // a compare-and-set while the lease lasts
 * }</pre>
 *
 * <p>Counts exactly as {@link UsageMeter#tryConsume(TenantId, Metric, long)} does and shares its
 * allowance, so mixing the two is exact. When the period ends or the limit changes between hard
 * and soft, the handle moves to the new allowance on its next call. Thread-safe; valid until the
 * meter closes.
 */
public final class Quota {
    private final UsageMeter meter;
    private final TenantId tenant;
    private final Metric metric;
    private volatile UsageMeter.Allowance allowance;

    Quota(UsageMeter meter, TenantId tenant, Metric metric, UsageMeter.Allowance allowance) {
        this.meter = meter;
        this.tenant = tenant;
        this.metric = metric;
        this.allowance = allowance;
    }

    public TenantId tenant() {
        return tenant;
    }

    public Metric metric() {
        return metric;
    }

    /** Consumes {@code quantity} if the limit allows; see {@link UsageMeter#tryConsume(TenantId, Metric, long)}. */
    public boolean tryConsume(long quantity) {
        UsageMeter.requirePositive(quantity);
        return meter.tryConsume(current(), quantity);
    }

    /** {@link #tryConsume} with the numbers. Never throws for a denial. */
    public QuotaDecision consume(long quantity) {
        UsageMeter.requirePositive(quantity);
        UsageMeter.Allowance a = current();
        boolean ok = meter.tryConsume(a, quantity);
        return meter.decision(a.retired ? current() : a, ok, quantity);
    }

    /**
     * Consumes or throws.
     *
     * @throws QuotaExceededException with the limit, usage, remainder and retry-after when denied
     */
    public QuotaDecision enforce(long quantity) {
        QuotaDecision d = consume(quantity);
        if (!d.allowed()) {
            throw new QuotaExceededException(tenant, quantity, d);
        }
        return d;
    }

    private UsageMeter.Allowance current() {
        UsageMeter.Allowance a = allowance;
        if (a.retired) {
            a = meter.allowance(tenant, metric);
            allowance = a;
        }
        return a;
    }

    @Override
    public String toString() {
        return "Quota[" + tenant + ", " + metric + "]";
    }
}
