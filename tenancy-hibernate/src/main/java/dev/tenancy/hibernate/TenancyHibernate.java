package dev.tenancy.hibernate;

import dev.tenancy.jdbc.TenantDataSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.hibernate.cfg.MultiTenancySettings;
import org.hibernate.cfg.QuerySettings;
import org.hibernate.jpa.boot.spi.IntegratorProvider;
import org.hibernate.jpa.boot.spi.JpaSettings;

/**
 * The one entry point: the properties that make a Hibernate {@code SessionFactory} (or JPA
 * {@code EntityManagerFactory}) multi-tenant with Tenancy.
 *
 * <pre>{@code
 * SessionFactory sessions = new HibernatePersistenceConfiguration("app")
 *         .managedClasses(Order.class, Customer.class, Country.class)
 *         .properties(TenancyHibernate.builder().dataSource(tenantDataSource).build().properties())
 *         .createEntityManagerFactory();
 * TenantContext.where(acme).run(() -> sessions.inTransaction(s -> s.persist(order)));
 * }</pre>
 *
 * <ul>
 *   <li>The session's tenant is {@link dev.tenancy.context.TenantContext}'s: a session opened with
 *       nothing bound reaches no data (its first connection fails); the system scope is
 *       Hibernate's root tenant ({@link #ROOT_TENANT}).
 *   <li>Connections come from {@link TenantDataSource} for the session's tenant: schema- and
 *       database-per-tenant need nothing else on the entities.
 *   <li>Shared model: entities carry Hibernate's {@code @TenantId}; Hibernate adds the tenant to
 *       queries, bulk statements and (since HHH-20883, in 7.4.13) to the UPDATE and DELETE it
 *       generates. What {@code @TenantId} leaves unscoped is refused with {@link
 *       TenantIsolationException} before any SQL runs: an HQL or Criteria INSERT into a
 *       tenant-scoped entity (Hibernate would store it under no tenant, or under the tenant it
 *       names) and an UPDATE setting the tenant attribute (see {@link TenantIdStatementCheck};
 *       it takes Hibernate's {@code hibernate.query.sqm.translator} setting). Native SQL is not
 *       rewritten: on PostgreSQL, {@link dev.tenancy.jdbc.RowLevelSecurity} covers it.
 *   <li>At bootstrap, entities without {@code @TenantId} that are not {@link GlobalEntity} are
 *       reported: the build fails (default) or logs a warning.
 * </ul>
 */
public final class TenancyHibernate {
    /** The tenant identifier of sessions opened in the system scope: Hibernate's root tenant. */
    public static final String ROOT_TENANT = "tenancy:system";

    /** What the bootstrap check does with an entity that has no tenant scope. */
    public enum UnscopedEntities {
        /** Fail the bootstrap, naming the entities (the default). */
        FAIL,
        /** Log a warning naming them. */
        WARN,
        /** Do not check: every tenant uses schema or database isolation, none the shared model. */
        ALLOW
    }

    private final TenantDataSource dataSource;
    private final UnscopedEntities unscopedEntities;

    private TenancyHibernate(Builder b) {
        this.dataSource = b.dataSource;
        this.unscopedEntities = b.unscopedEntities;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Properties for {@code HibernatePersistenceConfiguration.properties(...)} or a JPA bootstrap. */
    public Map<String, Object> properties() {
        IntegratorProvider integrators = unscopedEntities == UnscopedEntities.ALLOW
                ? List::of
                : () -> List.of(new EntityScopeCheck(unscopedEntities));
        return Map.of(
                MultiTenancySettings.MULTI_TENANT_CONNECTION_PROVIDER,
                new TenantConnectionProvider(dataSource),
                MultiTenancySettings.MULTI_TENANT_IDENTIFIER_RESOLVER,
                new ContextTenantResolver(),
                JpaSettings.INTEGRATOR_PROVIDER,
                integrators,
                QuerySettings.SEMANTIC_QUERY_TRANSLATOR,
                TenantIdStatementCheck.class.getName());
    }

    /** Builds a {@link TenancyHibernate}. */
    public static final class Builder {
        private TenantDataSource dataSource;
        private UnscopedEntities unscopedEntities = UnscopedEntities.FAIL;

        private Builder() {}

        /** Where sessions get their connections; required. */
        public Builder dataSource(TenantDataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** What to do with entities lacking a tenant scope at bootstrap; {@link UnscopedEntities#FAIL} by default. */
        public Builder unscopedEntities(UnscopedEntities unscopedEntities) {
            this.unscopedEntities = Objects.requireNonNull(unscopedEntities, "unscopedEntities");
            return this;
        }

        public TenancyHibernate build() {
            if (dataSource == null) {
                throw new IllegalStateException("TenancyHibernate needs dataSource(tenantDataSource)");
            }
            return new TenancyHibernate(this);
        }
    }
}
