package dev.tenancy.billing;

/** What happens to a tenant whose trial ends without a way to pay ({@link Billing.Builder#onTrialExpiry}). */
public enum TrialExpiry {
    /** The subscription expires and the tenant is served on the fallback plan (the default). */
    FALL_BACK,
    /** The subscription expires and the tenant is suspended in the catalog until it pays. */
    SUSPEND
}
