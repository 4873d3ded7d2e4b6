package dev.tenancy.flags;

/** What a flag is for; the admin console groups flags by it. */
public enum FlagCategory {
    /** A feature in beta, enabled for chosen tenants. */
    BETA,
    /** A feature that plans (tiers) unlock. */
    ENTERPRISE,
    /** A module tenants pay for; may require other modules. */
    MODULE,
    /** A feature being rolled out to everyone. */
    RELEASE,
    /** Anything else, such as a per-customer customisation. */
    CUSTOM
}
