package dev.tenancy.billing;

import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import java.time.InstantSource;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The entry point of tenancy-billing: one platform database, one audit log, one clock, and the
 * services built over them.
 *
 * <pre>{@code
 * Billing billing = Billing.builder(dataSource)
 *         .auditLog(audit)
 *         .catalog(catalog)                              // tiers follow plans; the cycle skips suspended tenants
 *         .modules(ModuleEntitlements.of(featureFlags))  // modules on each invoice
 *         .pricing(PricingConfig.fromJson(json))         // module prices, bundles, issue and due days
 *         .build();
 * billing.plans().publishDefaults(admin);
 * billing.subscriptions().subscribe(acme, "professional", BillingCycle.MONTHLY, 14, sales, "Signed up");
 * try (UsageMeter meter = billing.meter().nodeId("node-1").build()) { ... }   // one per node
 * CycleResult preview = billing.cycle().run(may1, may31, true, admin);
 * }</pre>
 *
 * <ul>
 *   <li>{@link #plans()}: immutable plan versions.
 *   <li>{@link #subscriptions()}: subscriptions, their status and cycle, and overrides.
 *   <li>{@link #meter()}: usage metering and exact quotas (a node's resource: build one and close it).
 *   <li>{@link #throttle()}: per-tenant API rate limits (a node's resource).
 *   <li>{@link #cycle()}: the subscription cycle, with dry run.
 *   <li>{@link #payments()}: charging invoices through the {@link PaymentGateway}.
 *   <li>{@link #analytics()}: MRR, ARR, churn, plan mix, upsell candidates.
 * </ul>
 *
 * <p>Building installs or upgrades the billing tables ({@code tenancy.tenancy_plan_versions}, {@code
 * tenancy.tenancy_subscriptions}, {@code tenancy.tenancy_billing_overrides}, {@code tenancy_usage_*}, {@code
 * tenancy_invoice*}, {@code tenancy.tenancy_mrr_snapshots}) with Flyway, once, whichever node starts first.
 */
public final class Billing {
    private final Builder config;
    private final PlanCatalog plans;
    private final Subscriptions subscriptions;
    private final SubscriptionCycle cycle;
    private final Payments payments;
    private final BillingAnalytics analytics;
    private final UsageStore usage;

    private Billing(Builder b) {
        this.config = b;
        this.usage = b.usage == null ? UsageStore.jdbc(b.dataSource) : b.usage;
        this.plans = PlanCatalog.builder(b.dataSource)
                .auditLog(b.audit)
                .clock(b.clock)
                .build();
        this.subscriptions = Subscriptions.builder(b.dataSource)
                .plans(plans)
                .catalog(b.catalog)
                .auditLog(b.audit)
                .clock(b.clock)
                .zone(b.zone)
                .fallbackPlan(b.fallbackPlan)
                .onTrialExpiry(b.trialExpiry)
                .build();
        this.cycle = SubscriptionCycle.builder(b.dataSource)
                .usage(usage)
                .subscriptions(subscriptions)
                .catalog(b.catalog)
                .modules(b.modules)
                .pricing(b.pricing)
                .auditLog(b.audit)
                .clock(b.clock)
                .build();
        this.payments = Payments.builder(b.dataSource)
                .subscriptions(subscriptions)
                .gateway(b.gateway)
                .auditLog(b.audit)
                .catalog(b.catalog)
                .build();
        this.analytics = BillingAnalytics.builder(b.dataSource)
                .usage(usage)
                .subscriptions(subscriptions)
                .modules(b.modules)
                .pricing(b.pricing)
                .auditLog(b.audit)
                .build();
    }

    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    public PlanCatalog plans() {
        return plans;
    }

    public Subscriptions subscriptions() {
        return subscriptions;
    }

    public SubscriptionCycle cycle() {
        return cycle;
    }

    /** The cycle with another batch size (tenants per transaction; default 1,000). */
    public SubscriptionCycle cycle(int batchSize) {
        return SubscriptionCycle.builder(config.dataSource)
                .usage(usage)
                .subscriptions(subscriptions)
                .catalog(config.catalog)
                .modules(config.modules)
                .pricing(config.pricing)
                .auditLog(config.audit)
                .clock(config.clock)
                .batchSize(batchSize)
                .build();
    }

    public Payments payments() {
        return payments;
    }

    public BillingAnalytics analytics() {
        return analytics;
    }

    /** A usage meter for this node, configured with this billing's database, limits and clock. */
    public UsageMeter.Builder meter() {
        return UsageMeter.builder(usage)
                .subscriptions(subscriptions)
                .clock(config.clock)
                .zone(config.zone);
    }

    /** An API throttle for this node, auditing to this billing's audit log. */
    public ApiThrottle.Builder throttle() {
        return ApiThrottle.builder().auditLog(config.audit).clock(config.clock);
    }

    /** Builds {@link Billing}. */
    public static final class Builder {
        private final DataSource dataSource;
        private AuditLog audit;
        private TenantCatalog catalog;
        private ModuleEntitlements modules = ModuleEntitlements.none();
        private PricingConfig pricing = PricingConfig.defaults();
        private PaymentGateway gateway = new InMemoryPaymentGateway();
        private UsageStore usage;
        private InstantSource clock = InstantSource.system();
        private ZoneId zone = ZoneOffset.UTC;
        private String fallbackPlan = "free";
        private TrialExpiry trialExpiry = TrialExpiry.FALL_BACK;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** Required: every billing change is audited (in the same transaction when it is a JdbcAuditLog on this database). */
        public Builder auditLog(AuditLog audit) {
            this.audit = Objects.requireNonNull(audit, "auditLog");
            return this;
        }

        /**
         * The tenant catalog: subscribing and changing plans set the tenant's tier to the plan's
         * (what feature flags' plan rules read), and the cycle skips tenants that are not active
         * (suspended, archived, pending, rejected).
         */
        public Builder catalog(TenantCatalog catalog) {
            this.catalog = catalog;
            return this;
        }

        /** Which modules each tenant has on (default none); usually {@link ModuleEntitlements#of}. */
        public Builder modules(ModuleEntitlements modules) {
            this.modules = Objects.requireNonNull(modules, "modules");
            return this;
        }

        /** Module prices, bundles, issue day and due days (default {@link PricingConfig#defaults()}). */
        public Builder pricing(PricingConfig pricing) {
            this.pricing = Objects.requireNonNull(pricing, "pricing");
            return this;
        }

        /** Where invoices are charged (default an {@link InMemoryPaymentGateway}, for demos and tests). */
        public Builder gateway(PaymentGateway gateway) {
            this.gateway = Objects.requireNonNull(gateway, "gateway");
            return this;
        }

        /**
         * Where usage counters, events and leases live (default {@link UsageStore#jdbc} on this data
         * source, exact across nodes; {@link UsageStore#inMemory} for tests and single-JVM demos).
         */
        public Builder usageStore(UsageStore usage) {
            this.usage = Objects.requireNonNull(usage, "usageStore");
            return this;
        }

        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The zone whose calendar days bill (UTC by default). */
        public Builder zone(ZoneId zone) {
            this.zone = Objects.requireNonNull(zone, "zone");
            return this;
        }

        /**
         * The plan whose limits and features a tenant falls back to once its subscription has ended:
         * a cancelled subscription at the end of the period it was paid for, an expired trial at
         * once (default {@code free}, the seeds' free plan, price 0). {@code null}, or a plan that is
         * not published: none, so such a tenant has no terms and every hard limit is 0.
         */
        public Builder fallbackPlan(String planKey) {
            this.fallbackPlan = planKey;
            return this;
        }

        /** What a trial that ends without a way to pay does to the tenant (default {@link TrialExpiry#FALL_BACK}). */
        public Builder onTrialExpiry(TrialExpiry trialExpiry) {
            this.trialExpiry = Objects.requireNonNull(trialExpiry, "trialExpiry");
            return this;
        }

        public Billing build() {
            if (audit == null) {
                throw new IllegalStateException("Billing needs an audit log: call auditLog(...) before build()");
            }
            return new Billing(this);
        }
    }
}
