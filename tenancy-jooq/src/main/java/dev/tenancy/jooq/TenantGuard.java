package dev.tenancy.jooq;

import dev.tenancy.TenantId;
import dev.tenancy.context.TenantBinding;
import dev.tenancy.context.TenantContext;
import org.jooq.DDLQuery;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.Query;
import org.jooq.impl.QOM;

/**
 * Refuses to execute a query or record attached to one tenant's configuration while another
 * tenant, the system scope or nothing is bound: its SQL was rendered for the tenant it was built
 * for (mapped schema, tenant predicate), but its connection would come from the current binding.
 *
 * <p>In a shared-model tenant's session it also refuses DDL ({@code CREATE}, {@code ALTER}, {@code
 * DROP} of tables, indexes, views, schemas...): every table there is shared with the other
 * shared-model tenants, so a schema change is the platform's to make, in the system scope.
 * Temporary tables, which live in the session, are allowed; so is TRUNCATE, which {@link
 * TenantPredicates} refuses on tenant tables. A schema tenant's DDL changes its own schema and
 * runs.
 */
final class TenantGuard implements ExecuteListener {
    private static final long serialVersionUID = 1L;

    /** The tenant the configuration renders for; {@code null} for the system scope. */
    private final transient TenantId tenant;

    /** Whether {@link #tenant} is a shared-model tenant, whose session may not change shared tables. */
    private final boolean shared;

    TenantGuard(TenantId tenant, boolean shared) {
        this.tenant = tenant;
        this.shared = shared;
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
        if (shared) {
            refuseSharedDdl(ctx.query());
            Query[] batch = ctx.batchQueries();
            if (batch != null) {
                for (Query q : batch) {
                    refuseSharedDdl(q);
                }
            }
        }
    }

    private void refuseSharedDdl(Query query) {
        if (!(query instanceof DDLQuery)
                || query instanceof QOM.Truncate<?>
                || query instanceof QOM.CreateTable create && create.$temporary()
                || query instanceof QOM.DropTable drop && drop.$temporary()) {
            return;
        }
        String sql = query.toString().replaceAll("\\s+", " ").strip();
        throw new TenantIsolationException("DDL in the session of shared-model tenant '" + tenant + "' would change"
                + " tables every shared tenant uses: " + (sql.length() > 120 ? sql.substring(0, 117) + "..." : sql)
                + ". Run schema changes in the system scope (TenantContext.system()), as the platform's migrations");
    }
}
