package dev.tenancy.jooq;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.tenancy.IsolationModel;
import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.context.ScopeCache;
import dev.tenancy.context.TenantBinding;
import dev.tenancy.context.TenantContext;
import java.time.Duration;
import org.jooq.Configuration;
import org.jooq.conf.MappedSchema;
import org.jooq.conf.RenderMapping;
import org.jooq.conf.Settings;
import org.jooq.conf.SettingsTools;

/**
 * Each tenant's {@link Configuration}, derived once from the base for the tenant's isolation model
 * and cached; an entry older than {@link #RECHECK} is rechecked against the catalog in the
 * background and derived again only if the tenant's model changed.
 */
final class TenantConfigurations {
    static final Duration RECHECK = Duration.ofSeconds(30);

    private final TenantCatalog catalog;
    private final Configuration base;
    private final String inputSchema;
    private final TenantTables tenantTables;
    private final LoadingCache<TenantId, Derived> cache;
    private final Configuration system;

    private record Derived(IsolationModel model, Configuration configuration) {}

    /** The configuration of each scope, cached on the scope: jOOQ asks dozens of times per statement. */
    private final ScopeCache<Configuration> scoped = ScopeCache.create();

    TenantConfigurations(
            TenantCatalog catalog,
            Configuration base,
            String inputSchema,
            TenantTables tenantTables,
            long maximumSize) {
        this.catalog = catalog;
        this.base = base;
        this.inputSchema = inputSchema;
        this.tenantTables = tenantTables;
        this.cache = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .refreshAfterWrite(RECHECK)
                .build(new com.github.benmanes.caffeine.cache.CacheLoader<>() {
                    @Override
                    public Derived load(TenantId id) {
                        return derive(catalog.require(id));
                    }

                    @Override
                    public Derived reload(TenantId id, Derived old) {
                        Tenant tenant = catalog.require(id);
                        return tenant.isolation() == old.model() ? old : derive(tenant);
                    }
                });
        this.system = base.deriveAppending(new TenantGuard(null, false));
    }

    /**
     * The configuration for what the current thread runs as.
     *
     * @throws dev.tenancy.context.NoTenantBoundException when nothing is bound (fail closed)
     * @throws dev.tenancy.UnknownTenantException when the bound tenant is not in the catalog
     */
    Configuration current() {
        Configuration seen = scoped.get();
        if (seen != null) {
            return seen;
        }
        TenantBinding binding = TenantContext.binding();
        Configuration configuration;
        if (binding instanceof TenantBinding.Bound bound) {
            configuration = cache.get(bound.id()).configuration();
        } else if (binding instanceof TenantBinding.System) {
            configuration = system;
        } else {
            throw noTenantBound();
        }
        scoped.put(configuration);
        return configuration;
    }

    private static RuntimeException noTenantBound() {
        try {
            TenantContext.require();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("TenantContext.require() passed with nothing bound");
    }

    private Derived derive(Tenant tenant) {
        Configuration c =
                base.deriveAppending(new TenantGuard(tenant.id(), tenant.isolation() == IsolationModel.SHARED));
        if (!tenantTables.isEmpty()) {
            c = c.deriveAppending(new TenantPredicates(tenantTables, tenant.id().value()));
        }
        if (tenant.isolation() == IsolationModel.SCHEMA) {
            c = c.derive(schemaSettings(tenant.id().schemaName()));
        }
        return new Derived(tenant.isolation(), c);
    }

    private Settings schemaSettings(String schema) {
        Settings settings = SettingsTools.clone(base.settings());
        if (inputSchema == null) {
            return settings.withRenderSchema(false);
        }
        RenderMapping mapping = settings.getRenderMapping() == null ? new RenderMapping() : settings.getRenderMapping();
        return settings.withRenderMapping(
                mapping.withSchemata(new MappedSchema().withInput(inputSchema).withOutput(schema)));
    }

    long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }
}
