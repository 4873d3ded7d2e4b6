package dev.tenancy.hibernate;

import org.hibernate.HibernateException;

/**
 * A statement refused before Hibernate translated it to SQL because {@code @TenantId} would leave
 * it unscoped: an HQL or Criteria INSERT into a tenant-scoped entity, or an UPDATE that sets its
 * tenant attribute. The message names the entity, its tenant attribute and what to do instead.
 */
public final class TenantIsolationException extends HibernateException {
    private static final long serialVersionUID = 1L;

    TenantIsolationException(String message) {
        super(message);
    }
}
