package dev.tenancy.billing;

import dev.tenancy.TenancyException;
import dev.tenancy.TenantId;
import java.time.Instant;

/** A hard limit would be exceeded: carries the limit, the usage, what remains and when to retry. */
public final class QuotaExceededException extends TenancyException {
    private final TenantId tenant;
    private final QuotaDecision decision;

    public QuotaExceededException(TenantId tenant, long requested, QuotaDecision decision) {
        super("Tenant '" + tenant + "' has used " + decision.used() + " of its " + decision.limit() + " "
                + decision.metric() + "; " + requested + " more would exceed the limit ("
                + decision.remaining() + " left)"
                + (decision.retryAfter() == null
                        ? ". Free some capacity or raise the limit (plan or override)."
                        : ". The count starts again at " + decision.retryAfter() + ", or raise the limit."));
        this.tenant = tenant;
        this.decision = decision;
    }

    public TenantId tenant() {
        return tenant;
    }

    public String metric() {
        return decision.metric();
    }

    public long limit() {
        return decision.limit();
    }

    public long used() {
        return decision.used();
    }

    public long remaining() {
        return decision.remaining();
    }

    /** When the period ends, or {@code null} for a metric that never resets. */
    public Instant retryAfter() {
        return decision.retryAfter();
    }

    public QuotaDecision decision() {
        return decision;
    }
}
