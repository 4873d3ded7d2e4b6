package dev.tenancy.hibernate;

import dev.tenancy.context.TenantBinding;
import dev.tenancy.context.TenantContext;
import org.hibernate.context.spi.CurrentTenantIdentifierResolver;

/**
 * The session's tenant is the one bound in {@link TenantContext}; the system scope is Hibernate's
 * root tenant (sees every tenant's rows of {@code @TenantId} entities); nothing bound fails
 * closed: no session opens.
 */
final class ContextTenantResolver implements CurrentTenantIdentifierResolver<String> {

    @Override
    public String resolveCurrentTenantIdentifier() {
        return switch (TenantContext.binding()) {
            case TenantBinding.Bound b -> b.id().value();
            case TenantBinding.System s -> TenancyHibernate.ROOT_TENANT;
            case TenantBinding.Unbound u ->
                throw new IllegalStateException("No tenant is bound: open Hibernate sessions inside"
                        + " TenantContext.where(tenantId), or TenantContext.system() for platform work");
        };
    }

    @Override
    public boolean validateExistingCurrentSessions() {
        return true;
    }

    @Override
    public boolean isRoot(String tenantId) {
        return TenancyHibernate.ROOT_TENANT.equals(tenantId);
    }
}
