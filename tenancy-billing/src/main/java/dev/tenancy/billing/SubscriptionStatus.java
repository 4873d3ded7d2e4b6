package dev.tenancy.billing;

/** Where a subscription is in its life. */
public enum SubscriptionStatus {
    /** Free evaluation until the trial ends (plus any extension); not invoiced. */
    TRIAL,
    /** Paying; invoiced every period. */
    ACTIVE,
    /** A payment failed; still invoiced, awaiting payment. */
    PAST_DUE,
    /** Ended by the customer or staff; not invoiced. */
    CANCELLED,
    /** A trial that ended without converting; not invoiced. */
    EXPIRED;

    /** Whether the billing cycle invoices it. */
    public boolean billable() {
        return this == ACTIVE || this == PAST_DUE;
    }

    /** Whether the subscription is still running: trial, active or past due. */
    public boolean live() {
        return this == TRIAL || this == ACTIVE || this == PAST_DUE;
    }

    String db() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static SubscriptionStatus fromDb(String s) {
        return valueOf(s.toUpperCase(java.util.Locale.ROOT));
    }
}
