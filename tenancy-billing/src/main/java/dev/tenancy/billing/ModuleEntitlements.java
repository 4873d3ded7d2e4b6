package dev.tenancy.billing;

import dev.tenancy.TenantId;
import dev.tenancy.flags.FeatureFlags;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Which modules a tenant has on, for its invoice. {@link #of(FeatureFlags)} reads tenancy-flags'
 * module entitlements (the same in-memory snapshots the application evaluates).
 */
@FunctionalInterface
public interface ModuleEntitlements {

    /** The modules among {@code sold} that {@code tenant} has enabled. */
    Set<String> enabled(TenantId tenant, Set<String> sold);

    /** Module entitlements as tenancy-flags evaluates them: a module is on when its flag is on for the tenant. */
    static ModuleEntitlements of(FeatureFlags flags) {
        Objects.requireNonNull(flags, "flags");
        return (tenant, sold) -> {
            Set<String> on = new LinkedHashSet<>();
            for (String module : sold) {
                if (flags.flag(module).isEnabled(tenant)) {
                    on.add(module);
                }
            }
            return on;
        };
    }

    /** No modules: invoices carry the plan only. */
    static ModuleEntitlements none() {
        return (tenant, sold) -> Set.of();
    }
}
