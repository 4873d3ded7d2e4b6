package dev.tenancy.context;

import dev.tenancy.TenantId;

/**
 * What the current thread runs as: one tenant, the platform's system scope, or nothing.
 *
 * <pre>{@code
 * switch (TenantContext.binding()) {
 *     case TenantBinding.Bound b -> serve(b.id());
 *     case TenantBinding.System s -> runPlatformJob();
 *     case TenantBinding.Unbound u -> refuse();
 * }
 * }</pre>
 */
public sealed interface TenantBinding {

    /** Work runs as tenant {@code id}. */
    record Bound(TenantId id) implements TenantBinding {
        public Bound {
            java.util.Objects.requireNonNull(id, "id");
        }
    }

    /** Cross-tenant platform work (fleet jobs, the admin console); deliberately not a tenant. */
    record System() implements TenantBinding {}

    /** Nothing is bound: tenant-scoped work must refuse to run. */
    record Unbound() implements TenantBinding {}
}
