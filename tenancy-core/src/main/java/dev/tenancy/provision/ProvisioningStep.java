package dev.tenancy.provision;

/** The steps of provisioning a tenant, in order. Each is idempotent, so a resumed run repeats safely. */
public enum ProvisioningStep {
    /** Create the tenant's schema or database (nothing for shared tenants). */
    STORAGE,
    /** Run the host's migrations in the tenant's storage. */
    MIGRATIONS,
    /** Run the seed hook, exactly once (a marker row is written in the same transaction). */
    SEED,
    /** Move the tenant to active. */
    ACTIVATION;

    /** The step after this one, or {@code null} after the last. */
    ProvisioningStep next() {
        int next = ordinal() + 1;
        return next < values().length ? values()[next] : null;
    }
}
