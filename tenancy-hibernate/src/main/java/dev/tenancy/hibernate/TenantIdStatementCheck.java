package dev.tenancy.hibernate;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import org.hibernate.engine.spi.LoadQueryInfluencers;
import org.hibernate.query.spi.QueryOptions;
import org.hibernate.query.spi.QueryParameterBindings;
import org.hibernate.query.sqm.internal.DomainParameterXref;
import org.hibernate.query.sqm.sql.SqmTranslator;
import org.hibernate.query.sqm.sql.StandardSqmTranslatorFactory;
import org.hibernate.query.sqm.tree.SqmDmlStatement;
import org.hibernate.query.sqm.tree.domain.SqmPath;
import org.hibernate.query.sqm.tree.from.SqmRoot;
import org.hibernate.query.sqm.tree.insert.SqmInsertStatement;
import org.hibernate.query.sqm.tree.update.SqmAssignment;
import org.hibernate.query.sqm.tree.update.SqmUpdateStatement;
import org.hibernate.sql.ast.spi.SqlAstCreationContext;
import org.hibernate.sql.ast.tree.MutationStatement;

/**
 * Not for direct use: Hibernate creates it by class name from {@link TenancyHibernate}'s
 * properties. Refuses the HQL and Criteria statements that Hibernate 7.4's {@code @TenantId}
 * leaves unscoped, as Hibernate translates them (so before any SQL runs, whichever the session):
 *
 * <ul>
 *   <li>INSERT into a tenant-scoped entity: Hibernate neither sets the tenant on it (the rows would
 *       belong to no tenant) nor checks a tenant it names (they would belong to another);
 *   <li>UPDATE that sets the {@code @TenantId} attribute: it would move the session's rows to
 *       another tenant.
 * </ul>
 *
 * Entities persisted through the session ({@code persist}, {@code merge}, {@code
 * StatelessSession.insert} and {@code upsert}) get and are checked for the tenant by Hibernate.
 */
public final class TenantIdStatementCheck extends StandardSqmTranslatorFactory {
    private static final ClassValue<String> TENANT_ID_ATTRIBUTE = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field field : c.getDeclaredFields()) {
                    if (field.isAnnotationPresent(org.hibernate.annotations.TenantId.class)) {
                        return field.getName();
                    }
                }
                for (Method method : c.getDeclaredMethods()) { // property access: the getter
                    if (method.isAnnotationPresent(org.hibernate.annotations.TenantId.class)) {
                        return propertyName(method.getName());
                    }
                }
            }
            return null;
        }
    };

    /** Hibernate's no-argument constructor. */
    public TenantIdStatementCheck() {}

    private static String propertyName(String getter) {
        String name = getter.startsWith("get") && getter.length() > 3
                ? getter.substring(3)
                : getter.startsWith("is") && getter.length() > 2 ? getter.substring(2) : getter;
        // The JavaBeans rule: "URL" stays, "TenantId" becomes "tenantId".
        if (name.isEmpty() || name.length() > 1 && Character.isUpperCase(name.charAt(1))) {
            return name;
        }
        return Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }

    /**
     * The name of {@code type}'s {@code @TenantId} attribute (a field, or a getter under property
     * access; declared or inherited), or {@code null}.
     */
    public static String tenantIdAttribute(Class<?> type) {
        return TENANT_ID_ATTRIBUTE.get(type);
    }

    @Override
    public SqmTranslator<? extends MutationStatement> createMutationTranslator(
            SqmDmlStatement<?> statement,
            QueryOptions queryOptions,
            DomainParameterXref domainParameterXref,
            QueryParameterBindings domainParameterBindings,
            LoadQueryInfluencers loadQueryInfluencers,
            SqlAstCreationContext creationContext) {
        check(statement);
        return super.createMutationTranslator(
                statement,
                queryOptions,
                domainParameterXref,
                domainParameterBindings,
                loadQueryInfluencers,
                creationContext);
    }

    private static void check(SqmDmlStatement<?> statement) {
        SqmRoot<?> target = statement.getTarget();
        Class<?> type = target.getModel().getJavaType();
        String tenantId = type == null ? null : tenantIdAttribute(type);
        if (tenantId == null) {
            return;
        }
        String entity = target.getEntityName();
        if (statement instanceof SqmInsertStatement<?>) {
            throw new TenantIsolationException("An HQL or Criteria INSERT into " + entity + " is refused:"
                    + " Hibernate does not set its @TenantId attribute '" + tenantId + "' on such an INSERT, nor check"
                    + " a tenant the statement names, so the rows would belong to no tenant or to another one."
                    + " Persist the entities instead (Session.persist, StatelessSession.insert), which do both");
        }
        if (statement instanceof SqmUpdateStatement<?> update) {
            for (SqmAssignment<?> assignment : update.getSetClause().getAssignments()) {
                SqmPath<?> path = assignment.getTargetPath();
                if (path.getLhs() instanceof SqmRoot<?>
                        && tenantId.equals(path.getReferencedPathSource().getPathName())) {
                    throw new TenantIsolationException("An HQL or Criteria UPDATE that sets " + entity + "."
                            + tenantId + " (its @TenantId) is refused: it would move rows to another tenant."
                            + " Moving a tenant's data is a platform operation: run it as native SQL in the"
                            + " system scope");
                }
            }
        }
    }
}
