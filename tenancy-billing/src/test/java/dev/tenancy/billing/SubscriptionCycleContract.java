package dev.tenancy.billing;

import static dev.tenancy.billing.BillingFixture.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.TenantId;
import dev.tenancy.TenantStatus;
import dev.tenancy.audit.AuditEvent;
import dev.tenancy.audit.AuditQuery;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.flags.FeatureFlags;
import dev.tenancy.flags.FlagCategory;
import dev.tenancy.flags.FlagDefinition;
import dev.tenancy.flags.FlagStore;
import dev.tenancy.flags.ModuleBundle;
import dev.tenancy.testkit.TestDatabase;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The subscription cycle on one database; run on H2 and PostgreSQL. */
abstract class SubscriptionCycleContract {
    protected abstract TestDatabase.Kind kind();

    /** Whether usage lives in {@link UsageStore#inMemory()} rather than in the database. */
    protected boolean inMemoryUsage() {
        return false;
    }

    static final LocalDate MAY_1 = LocalDate.of(2026, 5, 1);
    static final LocalDate MAY_31 = LocalDate.of(2026, 5, 31);
    static final TenantId ACME = TenantId.of("acme");

    BillingFixture f;
    TenantCatalog catalog;
    FeatureFlags flags;

    @BeforeEach
    void setUp() {
        f = new BillingFixture(kind(), inMemoryUsage());
        catalog = TenantCatalog.inMemory(f.audit, f.clock);
        flags = FeatureFlags.builder().store(FlagStore.inMemory(f.audit)).build();
        for (String module : PricingConfig.defaults().soldModules()) {
            FlagDefinition.Builder d = FlagDefinition.builder(module).category(FlagCategory.MODULE);
            if (!module.equals("wms_core") && module.startsWith("module_")) {
                d.requires("wms_core");
            }
            flags.define(d.build(), ADMIN, "Module " + module);
        }
    }

    @AfterEach
    void tearDown() {
        flags.close();
        f.close();
    }

    SubscriptionCycle cycle() {
        return SubscriptionCycle.builder(f.database.dataSource())
                .usage(f.usage)
                .subscriptions(f.subscriptions)
                .catalog(catalog)
                .modules(ModuleEntitlements.of(flags))
                .pricing(PricingConfig.defaults())
                .auditLog(f.audit)
                .clock(f.clock)
                .batchSize(2)
                .build();
    }

    TenantId tenant(String id, String plan) {
        TenantId t = TenantId.of(id);
        catalog.register(TenantRegistration.builder(t, id).build(), ADMIN);
        catalog.transition(t, TenantStatus.ACTIVE, ADMIN, "approved");
        f.subscriptions.subscribe(t, plan, BillingCycle.MONTHLY, 0, ADMIN, "test");
        return t;
    }

    /** The manual's example month: one tenant per counter. */
    void aMonthOfTenants() {
        tenant("acme", "professional");
        flags.enableBundle(ACME, ModuleBundle.of("commerce_os", "Commerce OS", "module_b2b_storefront"), ADMIN, "Sold");
        f.subscriptions.grant(ACME, BillingOverride.PercentOff.of("15"), MAY_1, null, ADMIN, "15 % off list");
        tenant("globex", "standard");
        f.subscriptions.grant(
                TenantId.of("globex"),
                new BillingOverride.FreePlatformAccess(),
                MAY_1,
                null,
                ADMIN,
                "Partner test environment");
        tenant("initech", "free");
        tenant("umbrella", "business");
        catalog.transition(TenantId.of("umbrella"), TenantStatus.SUSPENDED, ADMIN, "Unpaid");
        TenantId hooli = TenantId.of("hooli");
        catalog.register(TenantRegistration.builder(hooli, "Hooli").build(), ADMIN);
        f.subscriptions.subscribe(hooli, "business", BillingCycle.MONTHLY, 30, ADMIN, "trial");
        tenant("wayne", "standard");
    }

    @Test
    void the_worked_example_bills_plan_bundle_and_discount() {
        aMonthOfTenants();
        CycleResult r = cycle().run(MAY_1, MAY_31, false, ADMIN);

        assertThat(r.counters())
                .isEqualTo("created=2 skippedExisting=0 skippedFree=1 skippedStatus=2 skippedNoCharge=1 notDue=0");
        Invoice acme = f.cycle(r, ACME);
        assertThat(acme.lines())
                .extracting(
                        InvoiceLine::kind, InvoiceLine::code, l -> l.amount().minor())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(InvoiceLine.Kind.PLAN, "professional", 7_900L),
                        org.assertj.core.groups.Tuple.tuple(InvoiceLine.Kind.BUNDLE, "commerce_os", 39_800L),
                        org.assertj.core.groups.Tuple.tuple(InvoiceLine.Kind.DISCOUNT, "percent_off", -7_155L));
        assertThat(acme.total()).isEqualTo(Money.of(40_545, "USD")); // (79 + 398) x 0.85
        assertThat(acme.issuedOn()).isEqualTo(MAY_1);
        assertThat(acme.dueOn()).isEqualTo(LocalDate.of(2026, 5, 15));
        assertThat(cycle().invoices(ACME)).containsExactly(acme);
    }

    @Test
    void a_dry_run_computes_the_same_result_and_writes_nothing() {
        aMonthOfTenants();
        long auditBefore = f.audit.query(AuditQuery.all()).total();

        CycleResult dry = cycle().run(MAY_1, MAY_31, true, ADMIN);

        assertThat(cycle().invoices(ACME)).isEmpty();
        assertThat(f.audit.query(AuditQuery.all()).total()).isEqualTo(auditBefore);
        CycleResult real = cycle().run(MAY_1, MAY_31, false, ADMIN);
        assertThat(real.counters()).isEqualTo(dry.counters());
        assertThat(real.invoices()).isEqualTo(dry.invoices());
        AuditEvent run = f.audit
                .query(AuditQuery.builder().entityType("billing_cycle").build())
                .items()
                .getFirst();
        assertThat(run.metadata()).containsEntry("createdCount", 2).containsEntry("skippedFreeCount", 1);
    }

    @Test
    void a_rerun_skips_what_exists_and_creates_nothing_twice() {
        aMonthOfTenants();
        cycle().run(MAY_1, MAY_31, false, ADMIN);
        CycleResult again = cycle().run(MAY_1, MAY_31, false, ADMIN);
        assertThat(again.counters())
                .isEqualTo("created=0 skippedExisting=2 skippedFree=1 skippedStatus=2 skippedNoCharge=1 notDue=0");
        assertThat(cycle().invoices(ACME)).hasSize(1);
        assertThat(cycle().run(MAY_1, MAY_31, true, ADMIN).skippedExistingCount())
                .isEqualTo(2);
    }

    @Test
    void two_concurrent_runs_create_each_invoice_once() throws Exception {
        for (int i = 0; i < 40; i++) {
            tenant(String.format("t-%02d", i), "standard");
        }
        ExecutorService two = Executors.newFixedThreadPool(2);
        List<Future<CycleResult>> runs = new ArrayList<>();
        Callable<CycleResult> run = () -> cycle().run(MAY_1, MAY_31, false, ADMIN);
        runs.add(two.submit(run));
        runs.add(two.submit(run));
        int created = 0;
        int existing = 0;
        for (Future<CycleResult> r : runs) {
            created += r.get().createdCount();
            existing += r.get().skippedExistingCount();
        }
        two.shutdown();
        assertThat(created).isEqualTo(40);
        assertThat(existing).isEqualTo(40);
        for (int i = 0; i < 40; i++) {
            assertThat(cycle().invoices(TenantId.of(String.format("t-%02d", i))))
                    .hasSize(1);
        }
    }

    @Test
    void a_crash_midway_then_a_rerun_ends_with_the_same_invoices() {
        for (int i = 0; i < 9; i++) {
            tenant(String.format("t-%02d", i), i % 2 == 0 ? "standard" : "business");
        }
        CycleResult expected = cycle().run(MAY_1, MAY_31, true, ADMIN);
        SubscriptionCycle crashing = cycle();
        crashing.afterBatch = batch -> {
            if (batch == 1) {
                throw new IllegalStateException("power cut");
            }
        };
        assertThatThrownBy(() -> crashing.run(MAY_1, MAY_31, false, ADMIN)).hasMessage("power cut");

        CycleResult rerun = cycle().run(MAY_1, MAY_31, false, ADMIN);

        assertThat(rerun.createdCount()).isEqualTo(5); // batches of 2: two were written before the crash
        assertThat(rerun.skippedExistingCount()).isEqualTo(4);
        List<Invoice> all = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            all.addAll(cycle().invoices(TenantId.of(String.format("t-%02d", i))));
        }
        assertThat(all).containsExactlyInAnyOrderElementsOf(expected.invoices());
    }

    @Test
    void quarterly_tenants_are_billed_when_their_period_starts() {
        TenantId q = tenant("quarterly", "standard");
        f.subscriptions.grant(
                q, new BillingOverride.CustomCycle(BillingCycle.QUARTERLY, 1), MAY_1, null, ADMIN, "Quarterly billing");
        CycleResult may = cycle().run(MAY_1, MAY_31, false, ADMIN);
        assertThat(may.createdCount()).isEqualTo(1);
        assertThat(f.cycle(may, q).total()).isEqualTo(Money.of(8_700, "USD"));
        assertThat(f.cycle(may, q).period()).isEqualTo(BillingPeriod.inclusive(MAY_1, LocalDate.of(2026, 7, 31)));
        assertThat(cycle().run(LocalDate.of(2026, 6, 1), LocalDate.of(2026, 6, 30), false, ADMIN)
                        .notDueCount())
                .isEqualTo(1);
    }

    @Test
    void a_contract_price_replaces_list_prices_and_a_comp_bills_nothing() {
        TenantId ent = tenant("enterprise-co", "enterprise");
        f.subscriptions.grant(
                ent, new BillingOverride.FixedPrice(Money.of(250_000, "USD")), MAY_1, null, ADMIN, "Contract 2026-114");
        TenantId partner = tenant("partner", "business");
        f.subscriptions.grant(
                partner,
                new BillingOverride.Comp(),
                MAY_1,
                LocalDate.of(2026, 6, 1),
                ADMIN,
                "Launch partner, May free");
        CycleResult may = cycle().run(MAY_1, MAY_31, false, ADMIN);
        assertThat(f.cycle(may, ent).total()).isEqualTo(Money.of(250_000, "USD"));
        assertThat(may.skippedFreeCount()).isEqualTo(1);
        CycleResult june = cycle().run(LocalDate.of(2026, 6, 1), LocalDate.of(2026, 6, 30), false, ADMIN);
        assertThat(f.cycle(june, partner).total()).isEqualTo(Money.of(19_900, "USD"));
    }

    @Test
    void soft_limit_overage_of_the_previous_period_is_billed() {
        f.plans.publish(f.metered(1_000), ADMIN, "metered");
        TenantId t = TenantId.of("chatty");
        f.clock.set(java.time.Instant.parse("2026-04-01T09:00:00Z"));
        f.subscriptions.subscribe(t, "metered", BillingCycle.MONTHLY, 0, ADMIN, "test");
        try (UsageMeter meter = f.meter().build()) {
            for (int i = 0; i < 13; i++) {
                meter.record(t, Metric.INVOICES, 1, "inv-" + i);
            }
        }
        CycleResult may = cycle().run(MAY_1, MAY_31, false, ADMIN);
        Invoice invoice = f.cycle(may, t);
        assertThat(invoice.lines())
                .extracting(
                        InvoiceLine::kind,
                        InvoiceLine::quantity,
                        l -> l.amount().minor())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(InvoiceLine.Kind.PLAN, 1L, 1_000L),
                        org.assertj.core.groups.Tuple.tuple(InvoiceLine.Kind.OVERAGE, 3L, 150L));
    }

    /** A month of tenants invoiced for May, wayne paying by wire (collected by hand); returns wayne. */
    private TenantId mayInvoicedWithWaynePayingByWire() {
        aMonthOfTenants();
        TenantId wayne = TenantId.of("wayne");
        f.subscriptions.grant(
                wayne,
                new BillingOverride.PaymentMethodOverride(PaymentMethod.WIRE),
                MAY_1,
                null,
                ADMIN,
                "Pays by wire");
        cycle().run(MAY_1, MAY_31, false, ADMIN);
        return wayne;
    }

    @Test
    void a_failed_charge_moves_the_subscription_to_past_due_and_payment_brings_it_back() {
        TenantId wayne = mayInvoicedWithWaynePayingByWire();
        InMemoryPaymentGateway gateway = new InMemoryPaymentGateway().script(ACME, InvoiceStatus.PAYMENT_FAILED);
        Payments payments = Payments.builder(f.database.dataSource())
                .subscriptions(f.subscriptions)
                .gateway(gateway)
                .auditLog(f.audit)
                .build();

        assertThat(payments.autoCharge(ADMIN)).isEqualTo(new Payments.ChargeRun(0, 1, 0, 1, 0));
        assertThat(cycle().invoices(ACME).getFirst().status()).isEqualTo(InvoiceStatus.PAYMENT_FAILED);
        assertThat(f.subscriptions.subscription(ACME).orElseThrow().status()).isEqualTo(SubscriptionStatus.PAST_DUE);
        assertThat(cycle().invoices(wayne).getFirst().status()).isEqualTo(InvoiceStatus.OPEN); // collected by hand

        assertThat(payments.autoCharge(ADMIN))
                .isEqualTo(new Payments.ChargeRun(0, 0, 0, 1, 0)); // nothing charged twice
        assertThat(gateway.charged()).hasSize(1);

        String invoice = cycle().invoices(ACME).getFirst().id();
        payments.apply(invoice, PaymentGateway.PaymentResult.paid("wire-991"), ADMIN); // paid another way
        payments.apply(invoice, PaymentGateway.PaymentResult.failed("late", "stale webhook"), ADMIN); // never unpays
        assertThat(cycle().invoices(ACME).getFirst().status()).isEqualTo(InvoiceStatus.PAID);
        assertThat(f.subscriptions.subscription(ACME).orElseThrow().status()).isEqualTo(SubscriptionStatus.ACTIVE);
        assertThat(f.audit
                        .query(AuditQuery.builder().entityType("invoice").build())
                        .items())
                .extracting(e -> e.metadata().get("to"))
                .containsExactly("PAID", "PAYMENT_FAILED");
    }

    @Test
    void charges_pause_while_a_tenant_is_suspended_and_resume_when_it_is_active_again() {
        mayInvoicedWithWaynePayingByWire();
        catalog.transition(ACME, TenantStatus.SUSPENDED, ADMIN, "Security incident, ticket 77");
        InMemoryPaymentGateway gateway = new InMemoryPaymentGateway();
        Payments payments = Payments.builder(f.database.dataSource())
                .subscriptions(f.subscriptions)
                .gateway(gateway)
                .auditLog(f.audit)
                .catalog(catalog)
                .build();

        assertThat(payments.autoCharge(ADMIN)).isEqualTo(new Payments.ChargeRun(0, 0, 0, 1, 1));
        assertThat(gateway.charged()).isEmpty();
        assertThat(cycle().invoices(ACME).getFirst().status()).isEqualTo(InvoiceStatus.OPEN);

        catalog.transition(ACME, TenantStatus.ACTIVE, ADMIN, "Resolved");
        assertThat(payments.autoCharge(ADMIN)).isEqualTo(new Payments.ChargeRun(1, 0, 0, 1, 0));
        assertThat(cycle().invoices(ACME).getFirst().status()).isEqualTo(InvoiceStatus.PAID);
    }

    @Test
    void overrides_apply_as_they_stand_on_the_first_day_of_the_period_billed() {
        f.clock.set(java.time.Instant.parse("2026-05-15T09:00:00Z"));
        TenantId partner = tenant("partner", "standard"); // periods start on the 15th
        f.subscriptions.grant(
                partner, new BillingOverride.FreePlatformAccess(), null, null, ADMIN, "Partner from today");
        CycleResult may = cycle().run(MAY_1, MAY_31, false, ADMIN);
        assertThat(may.skippedFreeCount()).isEqualTo(1);
        assertThat(may.createdCount()).isZero();
    }

    @Test
    void a_reversed_period_is_refused_clearly() {
        assertThatThrownBy(() -> cycle().run(MAY_31, MAY_1, true, ADMIN))
                .hasMessageContaining("periodTo 2026-05-01 is before periodFrom 2026-05-31");
        assertThat(Map.of()).isEmpty();
    }
}
