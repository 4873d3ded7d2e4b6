package dev.tenancy.billing;

import static dev.tenancy.billing.BillingFixture.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.TenantId;
import dev.tenancy.testkit.TestDatabase;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Currency;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The worked examples of {@link BillingAnalytics}' definitions; run on H2 and PostgreSQL. */
abstract class BillingAnalyticsContract {
    protected abstract TestDatabase.Kind kind();

    /** Whether usage lives in {@link UsageStore#inMemory()} rather than in the database. */
    protected boolean inMemoryUsage() {
        return false;
    }

    static final Currency USD = Currency.getInstance("USD");
    static final Currency EUR = Currency.getInstance("EUR");
    static final LocalDate MAY_1 = LocalDate.of(2026, 5, 1);
    static final LocalDate JUNE_1 = LocalDate.of(2026, 6, 1);

    BillingFixture f;
    BillingAnalytics analytics;

    @BeforeEach
    void setUp() {
        f = new BillingFixture(kind(), inMemoryUsage());
        ModuleEntitlements modules = (tenant, sold) ->
                tenant.value().equals("acme") ? Set.of("wms_core", "module_b2b_storefront") : Set.of();
        analytics = BillingAnalytics.builder(f.database.dataSource())
                .usage(f.usage)
                .subscriptions(f.subscriptions)
                .modules(modules)
                .pricing(PricingConfig.defaults())
                .auditLog(f.audit)
                .build();
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    TenantId sub(String id, String plan, BillingCycle cycle, int trialDays) {
        TenantId t = TenantId.of(id);
        f.subscriptions.subscribe(t, plan, cycle, trialDays, ADMIN, "test");
        return t;
    }

    @Test
    void mrr_normalises_to_a_month_after_permanent_discounts_only_and_keeps_currencies_apart() {
        TenantId acme = sub("acme", "professional", BillingCycle.MONTHLY, 0);
        f.subscriptions.grant(acme, BillingOverride.PercentOff.of("15"), MAY_1, null, ADMIN, "Forever 15 %");
        sub("annual", "standard", BillingCycle.ANNUAL, 0); // 290.00 / 12 = 24.1666 -> 24.17
        TenantId promo = sub("promo", "standard", BillingCycle.MONTHLY, 0);
        f.subscriptions.grant(
                promo,
                BillingOverride.PercentOff.of("50"),
                MAY_1,
                LocalDate.of(2026, 8, 1),
                ADMIN,
                "Three months half price: not permanent, not in MRR");
        sub("trialing", "business", BillingCycle.MONTHLY, 14);
        TenantId comped = sub("comped", "business", BillingCycle.MONTHLY, 0);
        f.subscriptions.grant(comped, new BillingOverride.Comp(), MAY_1, null, ADMIN, "Partner");
        sub("free", "free", BillingCycle.MONTHLY, 0);
        f.plans.publish(
                new Plan(
                        "standard-eu",
                        "Standard EU",
                        "standard",
                        Money.of(2_700, "EUR"),
                        Money.of(27_000, "EUR"),
                        Map.of(),
                        Set.of()),
                ADMIN,
                "EU pricing");
        sub("berlin", "standard-eu", BillingCycle.MONTHLY, 0);

        Map<Currency, Money> mrr = analytics.mrr(MAY_1);

        // 405.45 (acme: (79 + 398) x 0.85) + 24.17 + 29.00; trial, comp and free plan count zero
        assertThat(mrr).containsEntry(USD, Money.of(40_545 + 2_417 + 2_900, "USD"));
        assertThat(mrr).containsEntry(EUR, Money.of(2_700, "EUR"));
        assertThat(analytics.arr(MAY_1)).containsEntry(USD, Money.of((40_545 + 2_417 + 2_900) * 12L, "USD"));
        assertThat(analytics.planMix(MAY_1))
                .extracting(BillingAnalytics.PlanMix::plan, BillingAnalytics.PlanMix::tenants)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("professional", 1),
                        org.assertj.core.groups.Tuple.tuple("standard", 2),
                        org.assertj.core.groups.Tuple.tuple("standard-eu", 1));
    }

    @Test
    void churn_follows_the_worked_example() {
        TenantId a = contract("a", 10_000);
        TenantId b = contract("b", 20_000);
        TenantId c = contract("c", 30_000);
        contract("d", 40_000);
        analytics.snapshot(MAY_1);
        f.clock.set(Instant.parse("2026-05-20T10:00:00Z"));
        f.subscriptions.transition(a, SubscriptionStatus.CANCELLED, ADMIN, "Left");
        f.subscriptions.grant(
                b,
                new BillingOverride.FixedPrice(Money.of(25_000, "USD")),
                LocalDate.of(2026, 5, 20),
                null,
                ADMIN,
                "Upgrade");
        f.subscriptions.grant(
                c,
                new BillingOverride.FixedPrice(Money.of(20_000, "USD")),
                LocalDate.of(2026, 5, 20),
                null,
                ADMIN,
                "Downgrade");
        contract("e", 50_000);
        TenantId flash = contract("flash", 9_900);
        f.subscriptions.transition(flash, SubscriptionStatus.CANCELLED, ADMIN, "Joined and left in May");
        analytics.snapshot(JUNE_1);

        BillingAnalytics.Churn churn = analytics.churn(MAY_1, JUNE_1);

        assertThat(churn.customersAtStart()).isEqualTo(4);
        assertThat(churn.customersLost()).isEqualTo(1);
        assertThat(churn.logoChurn()).isEqualByComparingTo("0.25");
        BillingAnalytics.MrrChurn usd = churn.mrr().get(USD);
        assertThat(usd.startMrr()).isEqualTo(Money.of(100_000, "USD"));
        assertThat(usd.churned()).isEqualTo(Money.of(10_000, "USD"));
        assertThat(usd.contraction()).isEqualTo(Money.of(10_000, "USD"));
        assertThat(usd.expansion()).isEqualTo(Money.of(5_000, "USD"));
        assertThat(usd.gross()).isEqualByComparingTo(new BigDecimal("0.20"));
        assertThat(usd.net()).isEqualByComparingTo(new BigDecimal("0.15"));
        assertThat(analytics.newTenants(MAY_1, LocalDate.of(2026, 5, 31))).isEqualTo(6);
    }

    private TenantId contract(String id, long monthlyMinor) {
        TenantId t = sub(id, "enterprise", BillingCycle.MONTHLY, 0);
        f.subscriptions.grant(
                t,
                new BillingOverride.FixedPrice(Money.of(monthlyMinor, "USD")),
                f.subscriptions.today(),
                null,
                ADMIN,
                "Contract");
        return t;
    }

    @Test
    void churn_without_a_snapshot_names_the_missing_day() {
        assertThatThrownBy(() -> analytics.churn(MAY_1, JUNE_1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("There is no MRR snapshot of 2026-05-01");
    }

    @Test
    void upsell_candidates_are_tenants_near_a_limit() {
        f.plans.publish(f.metered(100), ADMIN, "metered");
        TenantId busy = sub("busy", "metered", BillingCycle.MONTHLY, 0);
        TenantId quiet = sub("quiet", "metered", BillingCycle.MONTHLY, 0);
        try (UsageMeter meter = f.meter().build()) {
            meter.tryConsume(busy, Metric.API_CALLS, 85);
            meter.tryConsume(quiet, Metric.API_CALLS, 10);
            meter.record(busy, Metric.USERS, 3, "seats");
        }
        assertThat(analytics.upsellCandidates(8_000, MAY_1))
                .containsExactly(
                        new BillingAnalytics.UpsellCandidate(busy, "metered", "api_calls", 85, 100),
                        new BillingAnalytics.UpsellCandidate(busy, "metered", "users", 3, 3));
        assertThat(quiet).isNotNull();
    }
}
