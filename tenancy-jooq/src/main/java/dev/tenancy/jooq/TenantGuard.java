package dev.tenancy.jooq;

import dev.tenancy.TenantId;
import dev.tenancy.context.TenantBinding;
import dev.tenancy.context.TenantContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;

/**
 * Refuses to execute a query or record attached to one tenant's configuration while another
 * tenant, the system scope or nothing is bound: its SQL was rendered for the tenant it was built
 * for (mapped schema, tenant predicate), but its connection would come from the current binding.
 */
final class TenantGuard implements ExecuteListener {
    private static final long serialVersionUID = 1L;

    /** The tenant the configuration renders for; {@code null} for the system scope. */
    private final transient TenantId tenant;

    TenantGuard(TenantId tenant) {
        this.tenant = tenant;
    }

    @Override
    public void start(ExecuteContext ctx) {
        TenantBinding now = TenantContext.binding();
        boolean same = tenant == null
                ? now instanceof TenantBinding.System
                : now instanceof TenantBinding.Bound bound && bound.id().equals(tenant);
        if (!same) {
            throw new TenantIsolationException("A jOOQ query or record built for "
                    + (tenant == null ? "the system scope" : "tenant '" + tenant + "'") + " was executed "
                    + switch (now) {
                        case TenantBinding.Bound b -> "as tenant '" + b.id() + "'";
                        case TenantBinding.System s -> "in the system scope";
                        case TenantBinding.Unbound u -> "with no tenant bound";
                    }
                    + ": build queries and records inside the scope that executes them"
                    + " (TenancyJooq.dsl() follows the current tenant)");
        }
    }
}
