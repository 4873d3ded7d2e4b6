package dev.tenancy.jooq;

import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.provision.SharedTable;
import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Name;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.jooq.impl.DataSourceConnectionProvider;
import org.jooq.impl.DefaultConfiguration;
import org.jooq.impl.TableImpl;

/**
 * jOOQ for a multi-tenant application: one {@link DSLContext} that runs every call as the tenant
 * bound in {@link dev.tenancy.context.TenantContext}, whatever the tenant's isolation model.
 *
 * <pre>{@code
 * TenancyJooq jooq = TenancyJooq.builder()
 *         .dataSource(tenantDataSource)
 *         .dialect(SQLDialect.POSTGRES)
 *         .inputSchema("public")                    // the schema the code was generated from
 *         .tenantTable(NOTES, NOTES.TENANT_ID)      // tables with a tenant column, and that column
 *         .build();
 * DSLContext dsl = jooq.dsl();                      // inject this one instance anywhere
 *
 * TenantContext.where(acme).run(() -> dsl.selectFrom(NOTES).fetch()); // acme's notes only
 * }</pre>
 *
 * <ul>
 *   <li><b>Schema per tenant</b>: tables of {@link Builder#inputSchema(String)} are rendered in the
 *       tenant's schema (jOOQ's render mapping); other unqualified names resolve through the
 *       connection, which {@link TenantDataSource} binds to the tenant's schema. Without an input
 *       schema, SQL for these tenants is rendered unqualified.
 *   <li><b>Database per tenant</b>: connections come from {@link TenantDataSource}, which routes
 *       to the tenant's database.
 *   <li><b>Shared</b> (and, for defence in depth, every model): every SELECT, UPDATE and DELETE on
 *       a {@linkplain Builder#tenantTable table with a tenant column} gets the tenant predicate
 *       (joins, implicit joins along generated paths, subqueries, CTEs and set operations
 *       included), and INSERT sets the tenant column; an INSERT or UPDATE naming another tenant,
 *       and TRUNCATE of such a table (it cannot be scoped), are refused with {@link
 *       TenantIsolationException}, and so is DDL other than for temporary tables in a
 *       shared-model tenant's session (the tables are every shared tenant's: change them in the
 *       system scope). <b>Plain-SQL templates are not scoped</b> (jOOQ does not parse
 *       them): on PostgreSQL, {@link dev.tenancy.jdbc.RowLevelSecurity} on the shared tables
 *       scopes them in the database; elsewhere, write them with the tenant predicate yourself.
 *       The same holds for a table reached through a kind of reference the open-source query
 *       object model does not expose: tables are recognized directly, aliased, joined (also
 *       implicitly), as {@code Table.where(...)}, with index hints, sampled, {@code LATERAL} and
 *       {@code WITH ORDINALITY}; row-level security is the backstop for anything else.
 *   <li><b>System scope</b>: the platform database, nothing mapped or added.
 * </ul>
 *
 * <p>Each tenant's {@link Configuration} is derived once from the base and cached (not rebuilt per
 * query). A query built from {@link #dsl()} renders and connects as the tenant current when it
 * executes. What jOOQ derives for one tenant (a transaction's configuration, fetched records) stays
 * with that tenant: executing it as another is refused with {@link TenantIsolationException}. With
 * nothing bound, execution fails with {@link dev.tenancy.context.NoTenantBoundException}.
 */
public final class TenancyJooq {
    private final TenantConfigurations configurations;
    private final Configuration configuration;
    private final DSLContext dsl;

    private TenancyJooq(TenantConfigurations configurations, Configuration base) {
        this.configurations = configurations;
        this.configuration = (Configuration) Proxy.newProxyInstance(
                Configuration.class.getClassLoader(),
                new Class<?>[] {Configuration.class},
                new CurrentTenantConfiguration(configurations, base));
        this.dsl = DSL.using(configuration);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The {@link DSLContext} that follows the current tenant; one instance, safe to share. */
    public DSLContext dsl() {
        return dsl;
    }

    /**
     * The {@link Configuration} behind {@link #dsl()}: each call answers for the current tenant.
     * For frameworks that want a configuration rather than a context.
     */
    public Configuration configuration() {
        return configuration;
    }

    /** How many tenants' configurations are cached now. */
    public long cachedTenants() {
        return configurations.size();
    }

    /** Builds a {@link TenancyJooq}. */
    public static final class Builder {
        private TenantDataSource dataSource;
        private SQLDialect dialect;
        private Configuration configuration;
        private String inputSchema;
        private final Map<String, Name> tenantTables = new LinkedHashMap<>();
        private final Map<Class<?>, String> generatedTables = new LinkedHashMap<>();
        private long maximumCachedTenants = 10_000;

        private Builder() {}

        /** Where connections come from and tenants are looked up. Required. */
        public Builder dataSource(TenantDataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** The SQL dialect. Required unless a {@link #configuration(Configuration)} is given. */
        public Builder dialect(SQLDialect dialect) {
            this.dialect = Objects.requireNonNull(dialect, "dialect");
            return this;
        }

        /**
         * The base configuration each tenant's is derived from (settings, listeners, a transaction
         * provider); its connection provider must reach the {@link #dataSource(TenantDataSource)},
         * for example through Spring's transaction-aware proxy. Without it, Tenancy builds one with
         * a {@link DataSourceConnectionProvider} over the data source.
         */
        public Builder configuration(Configuration configuration) {
            this.configuration = Objects.requireNonNull(configuration, "configuration");
            return this;
        }

        /**
         * The schema the jOOQ code was generated from (for example {@code public}); schema-per-tenant
         * tenants have it rendered as their own schema.
         */
        public Builder inputSchema(String inputSchema) {
            if (inputSchema == null || inputSchema.isBlank()) {
                throw new IllegalArgumentException("Input schema '" + inputSchema
                        + "' is blank: name the schema the jOOQ code was generated from, like public");
            }
            this.inputSchema = inputSchema;
            return this;
        }

        /**
         * A table that carries a tenant column (every table of the shared model; in a hybrid
         * deployment that runs one set of migrations, the same table in every model), from
         * generated code. Statements on it are scoped to the current tenant whatever its model.
         * Its aliases ({@code NOTES.as("n")}) and paths ({@code TAGS.note()}) are instances of its
         * generated class, which is how they are recognized.
         */
        public Builder tenantTable(Table<?> table, Field<String> tenantColumn) {
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(tenantColumn, "tenantColumn");
            if (table.getClass() != TableImpl.class && table instanceof TableImpl<?>) {
                generatedTables.put(table.getClass(), table.getName()); // its aliases and paths are of its class
            }
            return tenantTable(SharedTable.of(table.getName(), tenantColumn.getName()));
        }

        /** A table that carries a tenant column, by name; see {@link #tenantTable(Table, Field)}. */
        public Builder tenantTable(SharedTable table) {
            Objects.requireNonNull(table, "table");
            Name previous =
                    tenantTables.putIfAbsent(table.table().toLowerCase(Locale.ROOT), DSL.name(table.tenantColumn()));
            if (previous != null && !previous.last().equals(table.tenantColumn())) {
                throw new IllegalArgumentException("Tenant table '" + table.table() + "' is registered twice, with"
                        + " tenant columns '" + previous.last() + "' and '" + table.tenantColumn()
                        + "': register it once");
            }
            return this;
        }

        /** At most this many tenants' configurations are cached (least recently used go first). */
        public Builder maximumCachedTenants(long maximumCachedTenants) {
            if (maximumCachedTenants < 1) {
                throw new IllegalArgumentException(
                        "maximumCachedTenants " + maximumCachedTenants + " must be at least 1");
            }
            this.maximumCachedTenants = maximumCachedTenants;
            return this;
        }

        public TenancyJooq build() {
            if (dataSource == null) {
                throw new IllegalStateException("TenancyJooq needs dataSource(TenantDataSource)");
            }
            Configuration base = configuration;
            if (base == null) {
                if (dialect == null) {
                    throw new IllegalStateException(
                            "TenancyJooq needs dialect(SQLDialect), or configuration(Configuration) with one");
                }
                base = new DefaultConfiguration()
                        .set(dialect)
                        .set(new Settings())
                        .set(new DataSourceConnectionProvider(dataSource));
            } else if (dialect != null) {
                base = base.derive(dialect);
            }
            return new TenancyJooq(
                    new TenantConfigurations(
                            dataSource.catalog(),
                            base,
                            inputSchema,
                            new TenantTables(tenantTables, generatedTables),
                            maximumCachedTenants),
                    base);
        }
    }
}
