package dev.tenancy.resolve;

import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.context.TenantContext;
import dev.tenancy.context.TenantScope;
import java.util.Objects;

/**
 * A tenant a request may be served as.
 *
 * @param tenant the catalog record
 * @param resolvedBy the resolver that named it ({@code "direct"} when admitted by id)
 * @param readOnly whether only reads may be served (an archived tenant within its retention window)
 */
public record AdmittedTenant(Tenant tenant, String resolvedBy, boolean readOnly) {
    public AdmittedTenant {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(resolvedBy, "resolvedBy");
    }

    public TenantId id() {
        return tenant.id();
    }

    /**
     * The scope to serve the request in: {@code admitted.scope().run(() -> handle(request))};
     * {@linkplain TenantScope#readOnly() read-only} when {@link #readOnly()}.
     */
    public TenantScope scope() {
        TenantScope scope = TenantContext.where(tenant.id());
        return readOnly ? scope.readOnly() : scope;
    }
}
