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
            ObjectProvider<FeatureFlags> flags,
            TenancyProperties properties) {
        Billing.Builder billing = Billing.builder(platform)
                .auditLog(audit)
                .catalog(catalog)
                .fallbackPlan(
                        properties.billing().fallbackPlan().isBlank()
                                ? null
                                : properties.billing().fallbackPlan())
                .onTrialExpiry(trialExpiry(properties.billing().trialExpiry()));
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

    private static dev.tenancy.billing.TrialExpiry trialExpiry(String value) {
        return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "fall-back" -> dev.tenancy.billing.TrialExpiry.FALL_BACK;
            case "suspend" -> dev.tenancy.billing.TrialExpiry.SUSPEND;
            default ->
                throw new IllegalArgumentException("tenancy.billing.trial-expiry: '" + value
                        + "' is neither fall-back (the tenant is served on the fallback plan) nor suspend");
        };
    }

    /**
     * The monthly subscription cycle, at 02:00 on the 1st (the admin manual's schedule): invoices
     * every billable tenant for the month, and first cancels the subscriptions of offboarded tenants.
     * With {@code tenancy.jobs.subscription-cycle-dry-run} it only previews.
     */
    @Bean
    PlatformJob tenancySubscriptionCycleJob(Billing billing) {
        return new PlatformJob("subscription-cycle", "0 0 2 1 * *", true, (day, dryRun) -> {
            dev.tenancy.billing.CycleResult result = billing.cycle()
                    .run(
                            day.withDayOfMonth(1),
                            day.withDayOfMonth(day.lengthOfMonth()),
                            dryRun,
                            TenancyJobsAutoConfiguration.JOBS);
            java.util.Map<String, Object> counters = new java.util.LinkedHashMap<>();
            counters.put("periodFrom", result.periodFrom().toString());
            counters.put("periodTo", result.periodTo().toString());
            counters.put("createdCount", result.createdCount());
            counters.put("skippedExistingCount", result.skippedExistingCount());
            counters.put("skippedFreeCount", result.skippedFreeCount());
            counters.put("skippedStatusCount", result.skippedStatusCount());
            counters.put("skippedNoChargeCount", result.skippedNoChargeCount());
            return counters;
        });
    }

    /**
     * Ends trials whose time is up, daily at 01:00 (converted when the tenant can pay, else expired
     * and fallen back or suspended), and moves tenants whose cancelled subscription's paid period
     * is over to the fallback plan's tier.
     */
    @Bean
    PlatformJob tenancyTrialConversionJob(Billing billing) {
        return new PlatformJob("trial-conversion", "0 0 1 * * *", false, (day, dryRun) -> {
            dev.tenancy.billing.Subscriptions.TrialRun run =
                    billing.subscriptions().convertTrials(day, TenancyJobsAutoConfiguration.JOBS);
            int fellBack = billing.subscriptions()
                    .applyFallbacks(day, TenancyJobsAutoConfiguration.JOBS)
                    .size();
            return java.util.Map.of("converted", run.converted(), "expired", run.expired(), "fellBack", fellBack);
        });
    }

    /** Every tenant's MRR on the 1st of each month at 00:05, so churn compares months. */
    @Bean
    PlatformJob tenancyMrrSnapshotJob(Billing billing) {
        return new PlatformJob(
                "mrr-snapshot",
                "0 5 0 1 * *",
                false,
                (day, dryRun) -> java.util.Map.of("tenants", billing.analytics().snapshot(day)));
    }

    @Bean
    @ConditionalOnMissingBean
    UsageMeter tenancyUsageMeter(
            Billing billing, TenancyProperties properties, ObjectProvider<dev.tenancy.billing.UsageGauge> gauges) {
        UsageMeter.Builder meter = billing.meter().termsTtl(properties.billing().termsTtl());
        if (properties.billing().nodeId() != null) {
            meter.nodeId(properties.billing().nodeId());
        }
        gauges.orderedStream().forEach(meter::gauge);
        String unsettled = properties.billing().unsettledFile();
        if (unsettled != null && !unsettled.isBlank()) {
            meter.unsettledFile(java.nio.file.Path.of(unsettled));
        }
        return meter.build();
    }

    /** {@code custom_domains}: the tenant's custom domains in the catalog, verified or not. */
    @Bean
    dev.tenancy.billing.UsageGauge tenancyCustomDomainsGauge(TenantCatalog catalog) {
        return dev.tenancy.billing.UsageGauge.of(
                dev.tenancy.billing.Metric.CUSTOM_DOMAINS,
                tenant -> catalog.domains(tenant).size());
    }

    /**
     * {@code storage_mb}: the tenant's data in megabytes, rounded up, from {@link
     * dev.tenancy.provision.TenantSizes} over {@code tenancy.offboarding.shared-tables}; measured
     * at most every five minutes per tenant (0 on H2).
     */
    @Bean
    @ConditionalOnBean(dev.tenancy.jdbc.TenantDataSource.class)
    dev.tenancy.billing.UsageGauge tenancyStorageGauge(
            TenantCatalog catalog, dev.tenancy.jdbc.TenantDataSource routing, TenancyProperties properties) {
        dev.tenancy.provision.TenantSizes.Builder sizes =
                dev.tenancy.provision.TenantSizes.builder().catalog(catalog).dataSource(routing);
        for (dev.tenancy.provision.SharedTable table : TenancyProvisioningAutoConfiguration.sharedTables(
                "tenancy.offboarding.shared-tables", properties.offboarding().sharedTables())) {
            sizes.sharedTable(table);
        }
        dev.tenancy.provision.TenantSizes measured = sizes.build();
        com.github.benmanes.caffeine.cache.LoadingCache<dev.tenancy.TenantId, Long> megabytes =
                com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
                        .maximumSize(100_000)
                        .expireAfterWrite(java.time.Duration.ofMinutes(5))
                        .build(tenant -> (measured.bytes(tenant) + (1 << 20) - 1) >> 20);
        return dev.tenancy.billing.UsageGauge.of(dev.tenancy.billing.Metric.STORAGE_MB, megabytes::get);
    }
}
