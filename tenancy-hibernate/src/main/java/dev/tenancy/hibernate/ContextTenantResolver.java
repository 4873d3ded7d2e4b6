package dev.tenancy.hibernate;

import dev.tenancy.context.TenantBinding;
import dev.tenancy.context.TenantContext;
import org.hibernate.context.spi.CurrentTenantIdentifierResolver;

/**
 * The session's tenant is the one bound in {@link TenantContext}; the system scope is Hibernate's
 * root tenant (sees every tenant's rows of {@code @TenantId} entities). With nothing bound the
 * session opens for {@link #NO_TENANT}, a tenant that cannot exist: it fails closed at its first
 * connection, so that frameworks opening a session before it is needed (Spring's open-in-view on
 * a request served with no tenant) work until the session is used, and never reach any data.
 */
final class ContextTenantResolver implements CurrentTenantIdentifierResolver<String> {
    /** The identifier of a session opened with nothing bound; not a valid tenant id. */
    static final String NO_TENANT = "tenancy:none";

    @Override
    public String resolveCurrentTenantIdentifier() {
        return switch (TenantContext.binding()) {
            case TenantBinding.Bound b -> b.id().value();
            case TenantBinding.System s -> TenancyHibernate.ROOT_TENANT;
            case TenantBinding.Unbound u -> NO_TENANT;
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
