package dev.tenancy.flags;

import dev.tenancy.TenantId;
import java.time.Instant;
import java.util.Objects;

/**
 * One tenant's value of a flag, which beats every rule until it expires.
 *
 * @param config a JSON payload replacing the definition's for this tenant; {@code null} keeps it
 * @param expiresAt when the override stops applying; {@code null} for never
 * @param reason why, for the audit log and the console (required)
 */
public record FlagOverride(
        TenantId tenant, String flagKey, boolean enabled, String config, Instant expiresAt, String reason) {

    public FlagOverride {
        Objects.requireNonNull(tenant, "tenant");
        FlagDefinition.requireKey(flagKey);
        if (config != null) {
            FlagJson.requireValid(flagKey, config);
        }
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("An override of '" + flagKey + "' for tenant '" + tenant
                    + "' needs a reason (it is audited and shown in the console)");
        }
    }

    /** On for {@code tenant}, with no expiry. */
    public static FlagOverride on(TenantId tenant, String flagKey, String reason) {
        return new FlagOverride(tenant, flagKey, true, null, null, reason);
    }

    /** Off for {@code tenant}, with no expiry. */
    public static FlagOverride off(TenantId tenant, String flagKey, String reason) {
        return new FlagOverride(tenant, flagKey, false, null, null, reason);
    }

    /** This override, ending at {@code expiresAt}. */
    public FlagOverride until(Instant expiresAt) {
        return new FlagOverride(tenant, flagKey, enabled, config, Objects.requireNonNull(expiresAt), reason);
    }

    /** This override, with {@code json} as the tenant's configuration. */
    public FlagOverride withConfig(String json) {
        return new FlagOverride(tenant, flagKey, enabled, json, expiresAt, reason);
    }

    /** Whether it still applies at {@code now}. */
    public boolean activeAt(Instant now) {
        return expiresAt == null || now.isBefore(expiresAt);
    }
}
