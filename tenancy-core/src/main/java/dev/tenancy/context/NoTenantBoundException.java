package dev.tenancy.context;

import dev.tenancy.TenancyException;

/** Tenant-scoped work ran with no tenant bound (or in the system scope, which has no tenant). */
public final class NoTenantBoundException extends TenancyException {
    private static final long serialVersionUID = 1L;

    private final boolean systemScope;

    NoTenantBoundException(boolean systemScope) {
        super(
                systemScope
                        ? "No tenant is bound: this code runs in the system scope, which is not a tenant. "
                                + "Bind one with TenantContext.where(tenantId).run(...) for tenant-scoped work."
                        : "No tenant is bound to this thread. Run the work inside TenantContext.where(tenantId).run(...), "
                                + "and wrap executors and tasks with TenantContext.wrap(...) when work crosses threads.");
        this.systemScope = systemScope;
    }

    /** Whether the caller was in the system scope rather than in no scope at all. */
    public boolean systemScope() {
        return systemScope;
    }
}
