package dev.tenancy.spring;

import dev.tenancy.audit.AuditLog;
import dev.tenancy.billing.Billing;
import dev.tenancy.billing.ModuleEntitlements;
import dev.tenancy.billing.UsageMeter;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.flags.FeatureFlags;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link Billing} and this node's {@link UsageMeter} when {@code tenancy-billing} is on the class
 * path: plans, subscriptions, overrides, usage and invoices in the platform database (tables
 * installed at start), tiers kept in the catalog, modules on invoices from {@link FeatureFlags}.
 * The meter flushes its usage and returns its leases when the application stops.
 */
@AutoConfiguration(after = {TenancyAutoConfiguration.class, TenancyFlagsAutoConfiguration.class})
@ConditionalOnClass(Billing.class)
@ConditionalOnBean({TenantCatalog.class, AuditLog.class})
public final class TenancyBillingAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Billing tenancyBilling(
            @TenancyPlatform DataSource platform,
            AuditLog audit,
            TenantCatalog catalog,
            ObjectProvider<FeatureFlags> flags) {
        Billing.Builder billing = Billing.builder(platform).auditLog(audit).catalog(catalog);
        FeatureFlags features = flags.getIfAvailable();
        if (features != null) {
            billing.modules(ModuleEntitlements.of(features));
        }
        return billing.build();
    }

    /**
     * Ends the subscription of each tenant the catalog archives, rejects or purges, as it happens
     * ({@link dev.tenancy.billing.Subscriptions#followCatalog}); stopped with the context.
     */
    @Bean(destroyMethod = "close")
    AutoCloseable tenancySubscriptionsFollowCatalog(Billing billing, TenantCatalog catalog) {
        if (!(catalog instanceof dev.tenancy.catalog.CatalogChangeNotifications)) {
            return () -> {}; // the subscription cycle ends them before it invoices
        }
        return billing.subscriptions().followCatalog(dev.tenancy.Actor.system("tenancy-billing"));
    }

    @Bean
    @ConditionalOnMissingBean
    UsageMeter tenancyUsageMeter(Billing billing, TenancyProperties properties) {
        UsageMeter.Builder meter = billing.meter().termsTtl(properties.billing().termsTtl());
        if (properties.billing().nodeId() != null) {
            meter.nodeId(properties.billing().nodeId());
        }
        return meter.build();
    }
}
