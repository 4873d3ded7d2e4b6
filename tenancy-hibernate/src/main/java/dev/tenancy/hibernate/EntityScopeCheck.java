package dev.tenancy.hibernate;

import java.util.ArrayList;
import java.util.List;
import org.hibernate.boot.Metadata;
import org.hibernate.boot.spi.BootstrapContext;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.integrator.spi.Integrator;
import org.hibernate.mapping.PersistentClass;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** At bootstrap, reports entities that are neither tenant-scoped ({@code @TenantId}) nor {@link GlobalEntity}. */
final class EntityScopeCheck implements Integrator {
    private static final Logger LOG = LoggerFactory.getLogger(EntityScopeCheck.class);

    private final TenancyHibernate.UnscopedEntities policy;

    EntityScopeCheck(TenancyHibernate.UnscopedEntities policy) {
        this.policy = policy;
    }

    @Override
    public void integrate(Metadata metadata, BootstrapContext bootstrapContext, SessionFactoryImplementor factory) {
        List<String> unscoped = new ArrayList<>();
        for (PersistentClass entity : metadata.getEntityBindings()) {
            Class<?> type = entity.getMappedClass();
            if (type != null && !type.isAnnotationPresent(GlobalEntity.class) && !hasTenantId(type)) {
                unscoped.add(entity.getEntityName());
            }
        }
        if (unscoped.isEmpty()) {
            return;
        }
        String message = "Entities without a tenant scope in a multi-tenant persistence unit: " + unscoped
                + ". Their rows are visible to every tenant of the shared model. Add a @TenantId attribute,"
                + " or mark reference data @GlobalEntity.";
        if (policy == TenancyHibernate.UnscopedEntities.FAIL) {
            throw new IllegalStateException(message);
        }
        LOG.warn(message);
    }

    static boolean hasTenantId(Class<?> type) {
        return TenantIdStatementCheck.tenantIdAttribute(type) != null;
    }
}
