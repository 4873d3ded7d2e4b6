package dev.tenancy.billing;

import static dev.tenancy.billing.BillingFixture.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import dev.tenancy.ReadOnlyScopeException;
import dev.tenancy.StorageException;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditEvent;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.AuditQuery;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.testkit.TestDatabase;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Plans, subscriptions, overrides and usage on one database; run on H2 and PostgreSQL. */
abstract class BillingContract {
    protected abstract TestDatabase.Kind kind();

    /** Whether usage lives in {@link UsageStore#inMemory()} rather than in the database. */
    protected boolean inMemoryUsage() {
        return false;
    }

    BillingFixture f;

    @BeforeEach
    void setUp() {
        f = new BillingFixture(kind(), inMemoryUsage());
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private List<AuditEvent> audited(String entityType) {
        return f.audit
                .query(AuditQuery.builder().entityType(entityType).build())
                .items();
    }

    @Nested
    class Plans {
        @Test
        void the_defaults_carry_the_quota_table() {
            PlanVersion pro = f.plans.current("professional").orElseThrow();
            assertThat(pro.version()).isEqualTo(1);
            assertThat(pro.plan().monthlyPrice()).isEqualTo(Money.of(7_900, "USD"));
            assertThat(pro.plan().limit("api_calls")).isEqualTo(Limit.hard(50_000));
            assertThat(f.plans
                            .current("enterprise")
                            .orElseThrow()
                            .plan()
                            .limit("users")
                            .unlimited())
                    .isTrue();
            assertThat(f.plans.currentPlans())
                    .extracting(PlanVersion::key)
                    .containsExactly("business", "enterprise", "free", "professional", "standard");
        }

        @Test
        void a_new_price_is_a_new_version_and_subscriptions_keep_theirs() {
            TenantId acme = f.subscribed("acme", "standard");
            Plan standard = f.plans.current("standard").orElseThrow().plan();
            Plan dearer = new Plan(
                    standard.key(),
                    standard.name(),
                    standard.tier(),
                    Money.of(3_500, "USD"),
                    Money.of(35_000, "USD"),
                    standard.limits(),
                    standard.modules());

            PlanVersion v2 = f.plans.publish(dearer, ADMIN, "2027 prices");

            assertThat(v2.version()).isEqualTo(2);
            assertThat(f.plans.version("standard", 1).plan().monthlyPrice()).isEqualTo(Money.of(2_900, "USD"));
            assertThat(f.subscriptions.terms(acme).orElseThrow().plan().version())
                    .isEqualTo(1);
            TenantId globex = f.subscribed("globex", "standard");
            assertThat(f.subscriptions.subscription(globex).orElseThrow().planVersion())
                    .isEqualTo(2);
            f.subscriptions.changePlan(acme, "standard", ADMIN, "Renewal at 2027 prices");
            assertThat(f.subscriptions.subscription(acme).orElseThrow().planVersion())
                    .isEqualTo(2);
        }

        @Test
        void the_grandfathered_subscriptions_move_to_the_current_version_together_once() {
            TenantId acme = f.subscribed("acme", "standard");
            TenantId globex = f.subscribed("globex", "standard");
            TenantId initech = f.subscribed("initech", "standard");
            TenantId pro = f.subscribed("hooli", "professional");
            f.subscriptions.transition(initech, SubscriptionStatus.CANCELLED, ADMIN, "left");
            Plan standard = f.plans.current("standard").orElseThrow().plan();
            f.plans.publish(
                    new Plan(
                            standard.key(),
                            standard.name(),
                            standard.tier(),
                            Money.of(3_500, "USD"),
                            Money.of(35_000, "USD"),
                            standard.limits(),
                            standard.modules()),
                    ADMIN,
                    "2027 prices");
            TenantId newcomer = f.subscribed("newcomer", "standard");

            List<TenantId> moved = f.subscriptions.moveToCurrentVersion("standard", ADMIN, "2027 prices, notice given");

            assertThat(moved).containsExactly(acme, globex);
            assertThat(f.subscriptions.subscription(acme).orElseThrow().planVersion())
                    .isEqualTo(2);
            assertThat(f.subscriptions.subscription(initech).orElseThrow().planVersion())
                    .as("an ended subscription stays as it ended")
                    .isEqualTo(1);
            assertThat(f.subscriptions.subscription(pro).orElseThrow().planKey())
                    .isEqualTo("professional");
            assertThat(f.subscriptions.subscription(newcomer).orElseThrow().planVersion())
                    .isEqualTo(2);
            assertThat(audited("subscription"))
                    .filteredOn(e -> "change_plan".equals(e.action()))
                    .extracting(e -> e.metadata().get("plan"))
                    .containsExactly("standard@1 -> standard@2", "standard@1 -> standard@2");
            assertThat(f.subscriptions.moveToCurrentVersion("standard", ADMIN, "again"))
                    .as("a rerun finds nothing left to move")
                    .isEmpty();
            assertThatThrownBy(() -> f.subscriptions.moveToCurrentVersion("platinum", ADMIN, "typo"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("platinum");
            assertThatThrownBy(() -> f.subscriptions.moveToCurrentVersion("standard", ADMIN, " "))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("needs a reason");
        }

        @Test
        void publishing_the_same_content_again_is_a_no_op() {
            Plan pro = f.plans.current("professional").orElseThrow().plan();
            assertThat(f.plans.publish(pro, ADMIN, "again").version()).isEqualTo(1);
            assertThat(f.plans.versions("professional")).hasSize(1);
        }

        @Test
        void publications_are_audited_with_reason() {
            assertThat(audited("plan")).extracting(AuditEvent::entityId).contains("professional@1");
        }
    }

    @Nested
    class SubscriptionLife {
        @Test
        void a_read_only_scope_refuses_every_subscription_change_and_changes_nothing() {
            TenantId acme = TenantId.of("acme");
            f.subscriptions.subscribe(acme, "professional", BillingCycle.MONTHLY, 14, ADMIN, "Signed up");
            Subscription before = f.subscriptions.subscription(acme).orElseThrow();
            TenantContext.where(acme).readOnly().run(() -> {
                assertThatThrownBy(() -> f.subscriptions.changePlan(acme, "business", ADMIN, "Upsell"))
                        .isInstanceOf(ReadOnlyScopeException.class)
                        .hasMessageContaining("change the plan");
                assertThatThrownBy(() -> f.subscriptions.changeCycle(acme, BillingCycle.ANNUAL, 1, ADMIN, "x"))
                        .isInstanceOf(ReadOnlyScopeException.class);
                assertThatThrownBy(() -> f.subscriptions.changePayment(acme, PaymentMethod.CARD, false, ADMIN, "x"))
                        .isInstanceOf(ReadOnlyScopeException.class);
                assertThatThrownBy(() -> f.subscriptions.transition(acme, SubscriptionStatus.CANCELLED, ADMIN, "x"))
                        .isInstanceOf(ReadOnlyScopeException.class);
                assertThatThrownBy(() -> f.subscriptions.grant(
                                acme, new BillingOverride.ExtendedTrial(14), null, null, ADMIN, "x"))
                        .isInstanceOf(ReadOnlyScopeException.class);
            });
            assertThat(f.subscriptions.subscription(acme).orElseThrow()).isEqualTo(before);
        }

        @Test
        void a_trial_converts_once_when_it_ends_and_the_job_is_idempotent() {
            TenantId acme = TenantId.of("acme");
            f.subscriptions.subscribe(acme, "professional", BillingCycle.MONTHLY, 14, ADMIN, "Signed up");
            assertThat(f.subscriptions.subscription(acme).orElseThrow().status())
                    .isEqualTo(SubscriptionStatus.TRIAL);

            assertThat(f.subscriptions.convertTrials(LocalDate.of(2026, 5, 14), ADMIN))
                    .isEqualTo(new Subscriptions.TrialRun(0, 0));
            assertThat(f.subscriptions.convertTrials(LocalDate.of(2026, 5, 15), ADMIN))
                    .isEqualTo(new Subscriptions.TrialRun(1, 0));
            assertThat(f.subscriptions.convertTrials(LocalDate.of(2026, 5, 15), ADMIN))
                    .isEqualTo(new Subscriptions.TrialRun(0, 0));
            Subscription s = f.subscriptions.subscription(acme).orElseThrow();
            assertThat(s.status()).isEqualTo(SubscriptionStatus.ACTIVE);
            assertThat(s.anchor()).isEqualTo(LocalDate.of(2026, 5, 15));
        }

        @Test
        void an_extended_trial_ends_later_and_one_that_cannot_pay_expires() {
            TenantId acme = TenantId.of("acme");
            f.subscriptions.subscribe(acme, "professional", BillingCycle.MONTHLY, 14, ADMIN, "Signed up");
            f.subscriptions.changePayment(acme, PaymentMethod.CARD, false, ADMIN, "No card on file yet");
            f.subscriptions.grant(
                    acme,
                    new BillingOverride.ExtendedTrial(14),
                    null,
                    null,
                    Actor.user("csm-2", "csm"),
                    "Requested by prospect for POC completion");

            assertThat(f.subscriptions.terms(acme).orElseThrow().trialEndsOn()).isEqualTo(LocalDate.of(2026, 5, 29));
            assertThat(f.subscriptions
                            .convertTrials(LocalDate.of(2026, 5, 20), ADMIN)
                            .expired())
                    .isZero();
            assertThat(f.subscriptions
                            .convertTrials(LocalDate.of(2026, 5, 29), ADMIN)
                            .expired())
                    .isEqualTo(1);
            assertThat(f.subscriptions.subscription(acme).orElseThrow().status())
                    .isEqualTo(SubscriptionStatus.EXPIRED);
        }

        @Test
        void a_forbidden_transition_names_both_statuses() {
            TenantId acme = f.subscribed("acme", "standard");
            assertThatThrownBy(() -> f.subscriptions.transition(acme, SubscriptionStatus.TRIAL, ADMIN, "why"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot go from active to trial");
        }

        @Test
        void subscribing_twice_or_to_an_unknown_plan_is_refused_clearly() {
            TenantId acme = f.subscribed("acme", "standard");
            assertThatThrownBy(() -> f.subscriptions.subscribe(acme, "business", BillingCycle.MONTHLY, 0, ADMIN, "x"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already has a subscription: use changePlan");
            assertThatThrownBy(() -> f.subscribed("globex", "platinum"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Plan 'platinum' does not exist");
        }

        @Test
        void every_change_is_audited_with_actor_and_reason() {
            TenantId acme = f.subscribed("acme", "standard");
            f.subscriptions.changePlan(acme, "business", Actor.user("sales-7", "sales_ops"), "Upsell");
            AuditEvent e = audited("subscription").getFirst();
            assertThat(e.action()).isEqualTo("change_plan");
            assertThat(e.actorId()).isEqualTo("sales-7");
            assertThat(e.metadata())
                    .containsEntry("reason", "Upsell")
                    .containsEntry("plan", "standard@1 -> business@1");
        }
    }

    @Nested
    class TenantLifecycle {
        private dev.tenancy.catalog.JdbcTenantCatalog catalog;
        private Subscriptions subscriptions;
        private BillingAnalytics analytics;

        @BeforeEach
        void setUpCatalog() {
            catalog = dev.tenancy.catalog.JdbcTenantCatalog.builder(f.database.dataSource())
                    .auditLog(f.audit)
                    .clock(f.clock)
                    .build();
            subscriptions = Subscriptions.builder(f.database.dataSource())
                    .plans(f.plans)
                    .catalog(catalog)
                    .auditLog(f.audit)
                    .clock(f.clock)
                    .build();
            analytics = BillingAnalytics.builder(f.database.dataSource())
                    .usage(f.usage)
                    .subscriptions(subscriptions)
                    .pricing(PricingConfig.defaults())
                    .auditLog(f.audit)
                    .build();
        }

        @AfterEach
        void closeCatalog() {
            catalog.close();
        }

        /** {@code id}, active in the catalog and paying for professional monthly. */
        private TenantId paying(String id) {
            TenantId tenant = TenantId.of(id);
            catalog.register(TenantRegistration.builder(tenant, id).active().build(), ADMIN);
            subscriptions.subscribe(tenant, "professional", BillingCycle.MONTHLY, 0, ADMIN, "Signed up");
            return tenant;
        }

        private SubscriptionStatus status(TenantId tenant) {
            return subscriptions.subscription(tenant).orElseThrow().status();
        }

        @Test
        void archiving_ends_the_subscription_at_once_and_it_leaves_mrr() throws Exception {
            TenantId acme = paying("acme");
            paying("globex");
            assertThat(analytics.mrr(f.subscriptions.today()).values()).containsExactly(Money.of(15_800, "USD"));

            try (AutoCloseable following = subscriptions.followCatalog(Actor.system("tenancy-billing"))) {
                catalog.transition(acme, dev.tenancy.TenantStatus.ARCHIVED, ADMIN, "Customer left");
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos(); // PostgreSQL notifies later
                while (status(acme) != SubscriptionStatus.CANCELLED && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
            }

            Subscription ended = subscriptions.subscription(acme).orElseThrow();
            assertThat(ended.status()).isEqualTo(SubscriptionStatus.CANCELLED);
            assertThat(ended.endedOn()).isEqualTo(f.subscriptions.today());
            assertThat(analytics.mrr(f.subscriptions.today()).values()).containsExactly(Money.of(7_900, "USD"));
            assertThat(analytics.churnedTenants(f.subscriptions.today().withDayOfMonth(1), f.subscriptions.today()))
                    .as("the admin manual's churn: tenants archived this period")
                    .containsExactly(acme);
            assertThat(audited("subscription"))
                    .filteredOn(e -> e.entityId().equals("acme") && e.action().equals("transition"))
                    .singleElement()
                    .satisfies(e -> assertThat(e.metadata()).containsEntry("reason", "Tenant archived"));
        }

        @Test
        void a_purged_tenant_whose_notification_was_missed_is_cancelled_by_the_next_cycle_run() {
            TenantId acme = paying("acme");
            TenantId globex = paying("globex");
            catalog.transition(acme, dev.tenancy.TenantStatus.ARCHIVED, ADMIN, "Customer left");
            catalog.transition(acme, dev.tenancy.TenantStatus.PURGED, ADMIN, "Retention over");
            assertThat(status(acme)).as("nobody followed the catalog").isEqualTo(SubscriptionStatus.ACTIVE);

            SubscriptionCycle cycle = SubscriptionCycle.builder(f.database.dataSource())
                    .usage(f.usage)
                    .subscriptions(subscriptions)
                    .catalog(catalog)
                    .auditLog(f.audit)
                    .clock(f.clock)
                    .build();
            cycle.run(f.subscriptions.today(), f.subscriptions.today(), true, ADMIN);
            assertThat(status(acme)).as("a dry run changes nothing").isEqualTo(SubscriptionStatus.ACTIVE);
            cycle.run(f.subscriptions.today(), f.subscriptions.today(), false, ADMIN);

            assertThat(status(acme)).isEqualTo(SubscriptionStatus.CANCELLED);
            assertThat(status(globex)).isEqualTo(SubscriptionStatus.ACTIVE);
            assertThat(subscriptions.endOffboarded(ADMIN)).as("idempotent").isEmpty();
        }

        @Test
        void an_archived_tenants_plan_and_a_cancelled_subscriptions_plan_cannot_change() {
            TenantId acme = paying("acme");
            catalog.transition(acme, dev.tenancy.TenantStatus.ARCHIVED, ADMIN, "Customer left");
            assertThatThrownBy(() -> subscriptions.changePlan(acme, "free", ADMIN, "Downgrade"))
                    .isInstanceOf(dev.tenancy.TenantOperationRefusedException.class)
                    .hasMessage("Tenant 'acme' is archived: changing the plan is allowed only for pending approval,"
                            + " active, suspended tenants");
            assertThat(subscriptions.subscription(acme).orElseThrow().planKey()).isEqualTo("professional");

            TenantId globex = paying("globex");
            subscriptions.transition(globex, SubscriptionStatus.CANCELLED, ADMIN, "Customer cancelled");
            assertThatThrownBy(() -> subscriptions.changePlan(globex, "business", ADMIN, "Upsell"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is cancelled: reactivate it");
            assertThat(subscriptions.subscription(globex).orElseThrow().planKey())
                    .isEqualTo("professional");
        }

        @org.junit.jupiter.params.ParameterizedTest
        @org.junit.jupiter.params.provider.EnumSource(dev.tenancy.TenantStatus.class)
        void the_plan_changes_in_exactly_the_statuses_the_lifecycle_table_allows(dev.tenancy.TenantStatus status) {
            TenantId acme = TenantId.of("acme");
            catalog.register(TenantRegistration.builder(acme, "Acme").build(), ADMIN);
            subscriptions.subscribe(acme, "professional", BillingCycle.MONTHLY, 0, ADMIN, "Signed up");
            List<dev.tenancy.TenantStatus> path = switch (status) {
                case PENDING_APPROVAL -> List.of();
                case ACTIVE -> List.of(dev.tenancy.TenantStatus.ACTIVE);
                case SUSPENDED -> List.of(dev.tenancy.TenantStatus.ACTIVE, dev.tenancy.TenantStatus.SUSPENDED);
                case ARCHIVED -> List.of(dev.tenancy.TenantStatus.ACTIVE, dev.tenancy.TenantStatus.ARCHIVED);
                case REJECTED -> List.of(dev.tenancy.TenantStatus.REJECTED);
                case PURGED ->
                    List.of(
                            dev.tenancy.TenantStatus.ACTIVE,
                            dev.tenancy.TenantStatus.ARCHIVED,
                            dev.tenancy.TenantStatus.PURGED);
            };
            for (dev.tenancy.TenantStatus step : path) {
                catalog.transition(acme, step, ADMIN, "walk");
            }
            if (dev.tenancy.TenantOperation.CHANGE_PLAN.allowedIn(status)) {
                assertThat(subscriptions
                                .changePlan(acme, "business", ADMIN, "Upgrade")
                                .planKey())
                        .isEqualTo("business");
            } else {
                assertThatThrownBy(() -> subscriptions.changePlan(acme, "business", ADMIN, "Upgrade"))
                        .isInstanceOf(dev.tenancy.TenantOperationRefusedException.class);
                assertThat(subscriptions.subscription(acme).orElseThrow().planKey())
                        .isEqualTo("professional");
            }
        }

        @Test
        void a_cancelled_subscription_runs_to_the_end_of_its_paid_period_then_falls_back_to_the_free_plan() {
            TenantId acme = paying("acme"); // professional, monthly from 1 May
            Limit proCalls =
                    f.plans.current("professional").orElseThrow().plan().limit("api_calls");
            PlanVersion free = f.plans.current("free").orElseThrow();
            f.clock.advance(Duration.ofDays(9)); // 10 May
            subscriptions.transition(acme, SubscriptionStatus.CANCELLED, ADMIN, "Customer cancelled");

            Terms paid = subscriptions.terms(acme, LocalDate.of(2026, 5, 31)).orElseThrow();
            assertThat(paid.fallback()).isFalse();
            assertThat(paid.limit("api_calls")).isEqualTo(proCalls);
            Terms after = subscriptions.terms(acme, LocalDate.of(2026, 6, 1)).orElseThrow();
            assertThat(after.fallback()).isTrue();
            assertThat(after.plan().key()).isEqualTo("free");
            assertThat(after.limit("api_calls")).isEqualTo(free.plan().limit("api_calls"));
            assertThat(analytics.mrr(LocalDate.of(2026, 5, 10)).values())
                    .as("churned at once")
                    .allSatisfy(m -> assertThat(m).isEqualTo(Money.of(0, "USD")));

            assertThat(subscriptions.applyFallbacks(LocalDate.of(2026, 5, 31), ADMIN))
                    .isEmpty();
            assertThat(catalog.require(acme).tier()).isEqualTo("pro");
            assertThat(subscriptions.applyFallbacks(LocalDate.of(2026, 6, 1), ADMIN))
                    .containsExactly(acme);
            assertThat(catalog.require(acme).tier())
                    .as("features fall back too")
                    .isEqualTo(free.plan().tier());
            assertThat(subscriptions.applyFallbacks(LocalDate.of(2026, 6, 2), ADMIN))
                    .as("idempotent")
                    .isEmpty();

            Subscriptions noFallback = Subscriptions.builder(f.database.dataSource())
                    .plans(f.plans)
                    .auditLog(f.audit)
                    .clock(f.clock)
                    .fallbackPlan(null)
                    .build();
            assertThat(noFallback.terms(acme, LocalDate.of(2026, 6, 1)))
                    .as("without a fallback plan an ended subscription has no terms: every hard limit is 0")
                    .isEmpty();
        }

        @Test
        void an_expired_trial_falls_back_at_once_or_suspends_the_tenant_when_the_host_says_so() {
            TenantId acme = TenantId.of("acme");
            TenantId globex = TenantId.of("globex");
            for (TenantId t : List.of(acme, globex)) {
                catalog.register(
                        TenantRegistration.builder(t, t.value())
                                .tier("business")
                                .active()
                                .build(),
                        ADMIN);
            }
            subscriptions.subscribe(acme, "business", BillingCycle.MONTHLY, 14, ADMIN, "Trial");
            subscriptions.changePayment(acme, PaymentMethod.CARD, false, ADMIN, "No card on file");
            Subscriptions suspending = Subscriptions.builder(f.database.dataSource())
                    .plans(f.plans)
                    .catalog(catalog)
                    .auditLog(f.audit)
                    .clock(f.clock)
                    .onTrialExpiry(TrialExpiry.SUSPEND)
                    .build();
            suspending.subscribe(globex, "business", BillingCycle.MONTHLY, 20, ADMIN, "Trial");
            suspending.changePayment(globex, PaymentMethod.CARD, false, ADMIN, "No card on file");

            LocalDate end = LocalDate.of(2026, 5, 15);
            assertThat(subscriptions.convertTrials(end, ADMIN).expired()).isEqualTo(1); // acme's trial ends first
            assertThat(suspending
                            .convertTrials(LocalDate.of(2026, 5, 21), ADMIN)
                            .expired())
                    .isEqualTo(1); // then globex's

            Terms acmeTerms = subscriptions.terms(acme, end).orElseThrow();
            assertThat(acmeTerms.fallback()).isTrue();
            assertThat(acmeTerms.plan().key()).isEqualTo("free");
            assertThat(catalog.require(acme).tier())
                    .isEqualTo(f.plans.current("free").orElseThrow().plan().tier());
            assertThat(catalog.require(acme).status()).isEqualTo(dev.tenancy.TenantStatus.ACTIVE);
            assertThat(catalog.require(globex).status()).isEqualTo(dev.tenancy.TenantStatus.SUSPENDED);
            assertThat(catalog.require(globex).statusReason()).contains("Trial ended on 2026-05-21");
        }

        @Test
        void a_limit_override_of_a_metric_no_plan_limits_is_refused_naming_the_metrics() {
            TenantId acme = paying("acme");
            assertThatThrownBy(() -> subscriptions.grant(
                            acme,
                            new BillingOverride.LimitOverride("api_call", Limit.hard(10)),
                            null,
                            null,
                            ADMIN,
                            "Typo"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'api_call'")
                    .hasMessageContaining("api_calls");
            assertThat(subscriptions.grants(acme)).isEmpty();
        }
    }

    @Nested
    class Tiers {
        private final TenantCatalog catalog = TenantCatalog.inMemory(AuditLog.inMemory());
        private boolean catalogDown;

        /** Subscriptions that keep the catalog's tiers; the catalog can be made to fail on writes. */
        private Subscriptions subscriptions() {
            TenantCatalog flaky = (TenantCatalog) Proxy.newProxyInstance(
                    TenantCatalog.class.getClassLoader(), new Class<?>[] {TenantCatalog.class}, (proxy, m, args) -> {
                        if (catalogDown && m.getName().equals("update")) {
                            throw new StorageException("catalog database unreachable", null);
                        }
                        try {
                            return m.invoke(catalog, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            return Subscriptions.builder(f.database.dataSource())
                    .plans(f.plans)
                    .auditLog(f.audit)
                    .clock(f.clock)
                    .catalog(flaky)
                    .build();
        }

        private String tier(TenantId tenant) {
            return catalog.require(tenant).tier();
        }

        /** acme, in the catalog on {@code tier}. */
        private TenantId acmeOn(String tier) {
            TenantId acme = TenantId.of("acme");
            catalog.register(TenantRegistration.builder(acme, "Acme").tier(tier).build(), ADMIN);
            return acme;
        }

        @Test
        void subscribing_and_changing_plans_set_the_tenants_tier_to_the_plans() {
            TenantId acme = acmeOn("free");
            Subscriptions subs = subscriptions();

            subs.subscribe(acme, "professional", BillingCycle.MONTHLY, 0, ADMIN, "Signed up");
            assertThat(tier(acme)).isEqualTo("pro");

            Actor sales = Actor.user("sales-7", "sales_ops");
            subs.changePlan(acme, "business", sales, "Upsell");
            assertThat(tier(acme)).isEqualTo("business");
            assertThat(catalog.require(acme).version())
                    .as("one catalog change per tier change")
                    .isEqualTo(3);

            TenantId unknown = TenantId.of("not-in-catalog");
            subs.subscribe(unknown, "standard", BillingCycle.MONTHLY, 0, ADMIN, "Imported");
            assertThat(subs.subscription(unknown)).isPresent();
            assertThat(catalog.find(unknown))
                    .as("a tenant the catalog does not know is left alone")
                    .isEmpty();
        }

        @Test
        void a_catalog_that_fails_leaves_the_subscription_changed_and_names_the_retry_which_sets_the_tier() {
            TenantId acme = acmeOn("standard");
            Subscriptions subs = subscriptions();
            subs.subscribe(acme, "standard", BillingCycle.MONTHLY, 0, ADMIN, "Signed up");

            catalogDown = true;
            assertThatThrownBy(() -> subs.changePlan(acme, "enterprise", ADMIN, "Contract signed"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Tenant 'acme' is now subscribed to plan 'enterprise@1'")
                    .hasMessageContaining("could not be set to 'enterprise'")
                    .hasMessageContaining("catalog database unreachable")
                    .hasMessageContaining("Call changePlan(acme, \"enterprise\", ...) again");
            assertThat(subs.subscription(acme).orElseThrow().planKey()).isEqualTo("enterprise");
            assertThat(tier(acme)).isEqualTo("standard");
            int events = audited("subscription").size();

            catalogDown = false;
            subs.changePlan(acme, "enterprise", ADMIN, "Contract signed");
            assertThat(tier(acme)).isEqualTo("enterprise");
            assertThat(audited("subscription"))
                    .as("the retry changes no subscription, so it records no subscription event")
                    .hasSize(events);
        }
    }

    @Nested
    class Overrides {
        @Test
        void overrides_fold_into_the_terms_newest_first() {
            TenantId acme = f.subscribed("acme", "enterprise");
            LocalDate today = f.subscriptions.today();
            f.subscriptions.grant(acme, BillingOverride.PercentOff.of("15"), today, null, ADMIN, "Enterprise deal");
            f.subscriptions.grant(
                    acme,
                    new BillingOverride.LimitOverride("users", Limit.hard(500)),
                    today,
                    null,
                    ADMIN,
                    "Contract: 500 seats");
            f.subscriptions.grant(
                    acme,
                    new BillingOverride.PaymentMethodOverride(PaymentMethod.WIRE),
                    today,
                    null,
                    ADMIN,
                    "Pays by wire");
            f.subscriptions.grant(
                    acme,
                    new BillingOverride.CustomCycle(BillingCycle.QUARTERLY, 1),
                    today,
                    null,
                    ADMIN,
                    "Quarterly billing");

            Terms t = f.subscriptions.terms(acme).orElseThrow();
            assertThat(t.percentOff()).isEqualTo(1_500);
            assertThat(t.limit("users")).isEqualTo(Limit.hard(500));
            assertThat(t.limit("api_calls").unlimited()).isTrue();
            assertThat(t.paymentMethod()).isEqualTo(PaymentMethod.WIRE);
            assertThat(t.schedule().cycle()).isEqualTo(BillingCycle.QUARTERLY);
            assertThat(audited("billing_override")).hasSize(4);
        }

        @Test
        void a_comp_with_an_end_applies_only_until_then_and_a_revoked_grant_never() {
            TenantId acme = f.subscribed("acme", "standard");
            Grant comp = f.subscriptions.grant(
                    acme,
                    new BillingOverride.Comp(),
                    LocalDate.of(2026, 5, 1),
                    LocalDate.of(2026, 8, 1),
                    ADMIN,
                    "Partner launch");
            assertThat(f.subscriptions
                            .terms(acme, LocalDate.of(2026, 7, 31))
                            .orElseThrow()
                            .comped())
                    .isTrue();
            assertThat(f.subscriptions
                            .terms(acme, LocalDate.of(2026, 8, 1))
                            .orElseThrow()
                            .comped())
                    .isFalse();
            f.subscriptions.revoke(comp.id(), ADMIN, "Partnership ended early");
            assertThat(f.subscriptions
                            .terms(acme, LocalDate.of(2026, 6, 1))
                            .orElseThrow()
                            .comped())
                    .isFalse();
        }

        @Test
        void invalid_overrides_are_refused_with_the_value_and_nothing_is_written() {
            TenantId acme = f.subscribed("acme", "standard");
            assertThatThrownBy(() -> BillingOverride.PercentOff.of("120"))
                    .hasMessageContaining("at most 100 %, was 120 %");
            assertThatThrownBy(() -> new BillingOverride.LimitOverride("users", Limit.hard(-5)))
                    .hasMessageContaining("A limit cannot be negative, was -5");
            assertThatThrownBy(() -> f.subscriptions.grant(
                            acme,
                            new BillingOverride.Comp(),
                            LocalDate.of(2026, 6, 1),
                            LocalDate.of(2026, 5, 1),
                            ADMIN,
                            "backwards"))
                    .hasMessageContaining("must end after it starts, was from 2026-06-01 until 2026-05-01");
            assertThatThrownBy(() -> f.subscriptions.grant(
                            acme,
                            new BillingOverride.FixedPrice(Money.of(1, "EUR")),
                            null,
                            null,
                            ADMIN,
                            "wrong currency"))
                    .hasMessageContaining("is billed in USD");
            assertThatThrownBy(() -> f.subscriptions.grant(acme, new BillingOverride.Comp(), null, null, ADMIN, " "))
                    .hasMessageContaining("needs a reason");
            assertThat(f.subscriptions.grants(acme)).isEmpty();
            assertThat(audited("billing_override")).isEmpty();
        }
    }

    @Nested
    class Usage {
        @Test
        void a_retried_record_is_counted_once() {
            TenantId acme = f.subscribed("acme", "standard");
            try (UsageMeter meter = f.meter().build()) {
                assertThat(meter.record(acme, Metric.INVOICES, 1, "req-1").outcome())
                        .isEqualTo(UsageRecord.Outcome.COUNTED);
                assertThat(meter.record(acme, Metric.INVOICES, 1, "req-1").outcome())
                        .isEqualTo(UsageRecord.Outcome.DUPLICATE);
                assertThat(meter.history(acme, Metric.INVOICES).getFirst().sum())
                        .isEqualTo(1);
                assertThatThrownBy(() -> meter.record(acme, Metric.INVOICES, 5, "req-1"))
                        .hasMessageContaining("Idempotency key 'req-1' of tenant 'acme' already counted 1 invoices");
            }
        }

        @Test
        void the_same_key_racing_from_many_threads_is_counted_once() throws Exception {
            TenantId acme = f.subscribed("acme", "standard");
            try (UsageMeter meter = f.meter().build();
                    var pool = java.util.concurrent.Executors.newFixedThreadPool(6)) {
                List<java.util.concurrent.Future<UsageRecord>> all = new java.util.ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    all.add(pool.submit(() -> meter.record(acme, Metric.INVOICES, 1, "webhook-77")));
                }
                long counted = 0;
                for (var r : all) {
                    counted += r.get().outcome() == UsageRecord.Outcome.COUNTED ? 1 : 0;
                }
                assertThat(counted).isEqualTo(1);
                assertThat(meter.history(acme, Metric.INVOICES).getFirst().sum())
                        .isEqualTo(1);
            }
        }

        @Test
        void a_hard_limit_is_never_exceeded_and_the_denial_carries_the_numbers() {
            f.plans.publish(f.metered(250), ADMIN, "test plan");
            TenantId acme = f.subscribed("acme", "metered");
            try (UsageMeter meter = f.meter().leaseChunk(100).build()) {
                int accepted = 0;
                for (int i = 0; i < 300; i++) {
                    accepted += meter.tryConsume(acme, Metric.API_CALLS, 1) ? 1 : 0;
                }
                assertThat(accepted).isEqualTo(250);
                QuotaDecision d = meter.consume(acme, Metric.API_CALLS, 1);
                assertThat(d.allowed()).isFalse();
                assertThat(d.limit()).isEqualTo(250);
                assertThat(d.used()).isEqualTo(250);
                assertThat(d.remaining()).isZero();
                assertThat(d.retryAfter()).isEqualTo(java.time.Instant.parse("2026-06-01T00:00:00Z"));
                assertThatThrownBy(() -> meter.enforce(acme, Metric.API_CALLS, 1))
                        .isInstanceOfSatisfying(QuotaExceededException.class, e -> {
                            assertThat(e.limit()).isEqualTo(250);
                            assertThat(e.used()).isEqualTo(250);
                            assertThat(e.remaining()).isZero();
                            assertThat(e.retryAfter()).isEqualTo(java.time.Instant.parse("2026-06-01T00:00:00Z"));
                        })
                        .hasMessageContaining("has used 250 of its 250 api_calls");
                meter.flush();
                assertThat(meter.history(acme, Metric.API_CALLS).getFirst())
                        .isEqualTo(new UsagePeriod("api_calls", LocalDate.of(2026, 5, 1), 250, 250, 250));
            }
        }

        @Test
        void a_downgrade_stops_every_nodes_consumption_at_once_and_usage_past_the_new_limit_is_reported()
                throws Exception {
            f.plans.publish(f.metered(50), ADMIN, "test plan");
            f.plans.publish(
                    new Plan(
                            "small",
                            "Small",
                            "standard",
                            Money.of(500, "USD"),
                            Money.of(5_000, "USD"),
                            Map.of("api_calls", Limit.hard(3)),
                            java.util.Set.of()),
                    ADMIN,
                    "test plan");
            TenantId acme = f.subscribed("acme", "metered");
            try (UsageMeter one = f.meter().nodeId("one").leaseChunk(10).build();
                    UsageMeter two = f.meter().nodeId("two").leaseChunk(10).build()) {
                for (int i = 0; i < 4; i++) {
                    assertThat(one.tryConsume(acme, Metric.API_CALLS, 1)).isTrue();
                    assertThat(two.tryConsume(acme, Metric.API_CALLS, 1)).isTrue();
                }

                f.subscriptions.changePlan(acme, "small", ADMIN, "Downgrade");

                // both nodes still held 6 leased: none of it is spendable once the plan changed
                assertThat(one.tryConsume(acme, Metric.API_CALLS, 1)).isFalse();
                assertThat(two.tryConsume(acme, Metric.API_CALLS, 1)).isFalse();
                one.flush();
                two.flush();
                QuotaDecision reported = awaitLimit(one, acme, 3);
                assertThat(reported.used()).isEqualTo(8);
                assertThat(reported.exceeded()).isTrue();
                assertThat(reported.allowed()).isFalse();
                assertThat(reported.remaining()).isZero();

                f.subscriptions.changePlan(acme, "metered", ADMIN, "Upgrade again");
                assertThat(one.tryConsume(acme, Metric.API_CALLS, 1)).isTrue();
                assertThat(two.tryConsume(acme, Metric.API_CALLS, 1)).isTrue();
                assertThat(awaitLimit(two, acme, 50).exceeded()).isFalse();
            }
        }

        /** The meter's check once it has read limit {@code limit} (it reads new terms on its own thread). */
        private QuotaDecision awaitLimit(UsageMeter meter, TenantId tenant, long limit) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            QuotaDecision d = meter.check(tenant, Metric.API_CALLS, 1);
            while (d.limit() != limit && System.nanoTime() < deadline) {
                Thread.sleep(5);
                d = meter.check(tenant, Metric.API_CALLS, 1);
            }
            assertThat(d.limit()).isEqualTo(limit);
            return d;
        }

        @Test
        void a_gauged_metric_is_checked_against_what_its_gauge_measures_now() {
            f.plans.publish(f.metered(50), ADMIN, "test plan"); // users: hard 3
            TenantId acme = f.subscribed("acme", "metered");
            java.util.concurrent.atomic.AtomicLong users = new java.util.concurrent.atomic.AtomicLong();
            try (UsageMeter meter = f.meter()
                    .gauge(UsageGauge.of(Metric.USERS, tenant -> users.get()))
                    .build()) {
                while (meter.tryConsume(acme, Metric.USERS, 1)) {
                    users.incrementAndGet(); // the host adds the user; the gauge sees it
                }
                assertThat(users).hasValue(3);
                QuotaDecision full = meter.check(acme, Metric.USERS, 1);
                assertThat(full.allowed()).isFalse();
                assertThat(full.used()).isEqualTo(3);
                assertThat(full.limit()).isEqualTo(3);
                assertThatThrownBy(() -> meter.enforce(acme, Metric.USERS, 1))
                        .isInstanceOf(QuotaExceededException.class)
                        .hasMessageContaining("3 of its 3 users");
                users.set(5); // seats added behind the meter's back, or a downgrade
                assertThat(meter.check(acme, Metric.USERS, 1).exceeded()).isTrue();
                assertThatThrownBy(() -> meter.record(acme, Metric.USERS, 1, "u-1"))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("measured by");
                assertThat(meter.check(TenantId.of("ghost"), Metric.USERS, 1).allowed())
                        .as("no subscription, no seats")
                        .isFalse();
            }
        }

        @Test
        void durable_records_and_the_hot_path_share_one_limit() {
            f.plans.publish(f.metered(100), ADMIN, "test plan");
            TenantId acme = f.subscribed("acme", "metered");
            try (UsageMeter meter = f.meter().leaseChunk(30).build()) {
                assertThat(meter.tryConsume(acme, Metric.API_CALLS, 1)).isTrue(); // leases 30
                for (int i = 0; i < 70; i++) {
                    assertThat(meter.record(acme, Metric.API_CALLS, 1, "r" + i).outcome())
                            .isEqualTo(UsageRecord.Outcome.COUNTED);
                }
                assertThat(meter.record(acme, Metric.API_CALLS, 1, "r-over").outcome())
                        .isEqualTo(UsageRecord.Outcome.REFUSED);
                int more = 0;
                while (meter.tryConsume(acme, Metric.API_CALLS, 1)) {
                    more++;
                }
                assertThat(more).isEqualTo(29);
            }
        }

        @Test
        void a_quota_handle_shares_the_meters_allowance_and_its_limit_exactly() {
            f.plans.publish(f.metered(250), ADMIN, "test plan");
            TenantId acme = f.subscribed("acme", "metered");
            try (UsageMeter meter = f.meter().leaseChunk(40).build()) {
                Quota calls = meter.quota(acme, Metric.API_CALLS);
                int accepted = 0;
                for (int i = 0; i < 300; i++) {
                    boolean ok = i % 2 == 0 ? calls.tryConsume(1) : meter.tryConsume(acme, Metric.API_CALLS, 1);
                    accepted += ok ? 1 : 0;
                }
                assertThat(accepted).isEqualTo(250);
                QuotaDecision d = calls.consume(1);
                assertThat(d.allowed()).isFalse();
                assertThat(d.used()).isEqualTo(250);
                assertThat(d.remaining()).isZero();
                assertThatThrownBy(() -> calls.enforce(1))
                        .isInstanceOf(QuotaExceededException.class)
                        .hasMessageContaining("has used 250 of its 250 api_calls");
                assertThatThrownBy(() -> calls.tryConsume(0)).hasMessageContaining("positive, was 0");
                meter.flush();
                assertThat(meter.history(acme, Metric.API_CALLS).getFirst().sum())
                        .isEqualTo(250);
            }
        }

        @Test
        void a_raised_limit_applies_at_once_to_a_tenant_that_ran_out_not_after_the_terms_ttl() {
            f.plans.publish(f.metered(5), ADMIN, "test plan");
            TenantId acme = f.subscribed("acme", "metered");
            try (UsageMeter meter =
                    f.meter().termsTtl(Duration.ofHours(1)).leaseChunk(5).build()) {
                for (int i = 0; i < 5; i++) {
                    assertThat(meter.tryConsume(acme, Metric.API_CALLS, 1)).isTrue();
                }
                assertThat(meter.tryConsume(acme, Metric.API_CALLS, 1)).isFalse();

                f.subscriptions.grant(
                        acme,
                        new BillingOverride.LimitOverride("api_calls", Limit.hard(8)),
                        null,
                        null,
                        ADMIN,
                        "launch week");

                int more = 0;
                while (meter.tryConsume(acme, Metric.API_CALLS, 1)) {
                    more++;
                }
                assertThat(more).isEqualTo(3);
            }
        }

        @Test
        void a_tenant_subscribed_after_the_meter_first_saw_it_is_served_at_once() {
            f.plans.publish(f.metered(5), ADMIN, "test plan");
            TenantId acme = TenantId.of("acme");
            try (UsageMeter meter = f.meter().termsTtl(Duration.ofHours(1)).build()) {
                assertThat(meter.tryConsume(acme, Metric.API_CALLS, 1)).isFalse(); // no subscription: limit 0
                f.subscribed("acme", "metered");
                assertThat(meter.tryConsume(acme, Metric.API_CALLS, 1)).isTrue();
            }
        }

        @Test
        void a_quota_handle_follows_the_quota_into_the_next_period() {
            f.plans.publish(f.metered(10), ADMIN, "test plan");
            TenantId acme = f.subscribed("acme", "metered");
            try (UsageMeter meter =
                    f.meter().termsTtl(Duration.ZERO).leaseChunk(4).build()) {
                Quota calls = meter.quota(acme, Metric.API_CALLS);
                Quota invoices = meter.quota(acme, Metric.INVOICES);
                int may = 0;
                while (calls.tryConsume(1)) {
                    may++;
                }
                for (int i = 0; i < 12; i++) {
                    assertThat(invoices.tryConsume(1))
                            .as("soft: overage allowed")
                            .isTrue();
                }
                f.clock.advance(Duration.ofDays(31)); // 2026-06-01: a new period
                int june = 0;
                while (calls.tryConsume(1)) {
                    june++;
                }
                meter.flush();
                meter.flush(); // the retired May allowance is flushed too
                assertThat(may).isEqualTo(10);
                assertThat(june).isEqualTo(10);
                assertThat(meter.history(acme, Metric.API_CALLS))
                        .extracting(UsagePeriod::sum)
                        .containsExactly(10L, 10L);
                assertThat(meter.history(acme, Metric.INVOICES))
                        .containsExactly(new UsagePeriod("invoices", LocalDate.of(2026, 5, 1), 12, 12, 12));
            }
        }

        @Test
        void a_soft_limit_allows_overage_and_says_so() {
            f.plans.publish(f.metered(100), ADMIN, "test plan");
            TenantId acme = f.subscribed("acme", "metered");
            try (UsageMeter meter = f.meter().build()) {
                for (int i = 0; i < 12; i++) {
                    assertThat(meter.tryConsume(acme, Metric.INVOICES, 1)).isTrue();
                }
                QuotaDecision d = meter.consume(acme, Metric.INVOICES, 1);
                assertThat(d.allowed()).isTrue();
                assertThat(d.overage()).isTrue();
                assertThat(d.used()).isEqualTo(13);
                meter.flush();
                assertThat(meter.history(acme, Metric.INVOICES).getFirst().sum())
                        .isEqualTo(13);
            }
        }

        @Test
        void seats_go_up_and_down_and_never_reset() {
            f.plans.publish(f.metered(100), ADMIN, "test plan");
            TenantId acme = f.subscribed("acme", "metered");
            try (UsageMeter meter = f.meter().build()) {
                for (int i = 0; i < 3; i++) {
                    assertThat(meter.record(acme, Metric.USERS, 1, "invite-" + i)
                                    .outcome())
                            .isEqualTo(UsageRecord.Outcome.COUNTED);
                }
                assertThat(meter.record(acme, Metric.USERS, 1, "invite-3").outcome())
                        .isEqualTo(UsageRecord.Outcome.REFUSED);
                meter.record(acme, Metric.USERS, -1, "remove-0");
                assertThat(meter.record(acme, Metric.USERS, 1, "invite-3").outcome())
                        .isEqualTo(UsageRecord.Outcome.COUNTED);
                assertThat(meter.history(acme, Metric.USERS))
                        .containsExactly(new UsagePeriod("users", UsageMeter.LIFETIME, 3, 3, 5));
                assertThatThrownBy(() -> meter.record(acme, Metric.USERS, -9, "remove-many"))
                        .hasMessageContaining("below zero");
            }
        }

        @Test
        void a_limit_override_raises_the_limit_once_the_terms_are_reread() {
            f.plans.publish(f.metered(10), ADMIN, "test plan");
            TenantId acme = f.subscribed("acme", "metered");
            try (UsageMeter meter =
                    f.meter().termsTtl(Duration.ZERO).leaseChunk(5).build()) {
                int accepted = 0;
                while (meter.tryConsume(acme, Metric.API_CALLS, 1)) {
                    accepted++;
                }
                assertThat(accepted).isEqualTo(10);
                f.subscriptions.grant(
                        acme,
                        new BillingOverride.LimitOverride("api_calls", Limit.hard(15)),
                        null,
                        null,
                        ADMIN,
                        "Burst for launch");
                while (meter.tryConsume(acme, Metric.API_CALLS, 1)) {
                    accepted++;
                }
                assertThat(accepted).isEqualTo(15);
            }
        }

        @Test
        void close_returns_the_lease_so_another_node_can_use_it() {
            f.plans.publish(f.metered(100), ADMIN, "test plan");
            TenantId acme = f.subscribed("acme", "metered");
            try (UsageMeter a = f.meter().nodeId("a").leaseChunk(100).build()) {
                assertThat(a.tryConsume(acme, Metric.API_CALLS, 10)).isTrue(); // holds the other 90
            }
            try (UsageMeter b = f.meter().nodeId("b").leaseChunk(100).build()) {
                assertThat(b.tryConsume(acme, Metric.API_CALLS, 90)).isTrue();
                assertThat(b.tryConsume(acme, Metric.API_CALLS, 1)).isFalse();
            }
        }

        @Test
        void a_crashed_nodes_lease_is_written_off_after_expiry_and_still_counts_against_the_limit() {
            f.plans.publish(f.metered(100), ADMIN, "test plan");
            TenantId acme = f.subscribed("acme", "metered");
            UsageMeter crashed = f.meter()
                    .nodeId("crashed")
                    .leaseChunk(40)
                    .leaseTtl(Duration.ofMinutes(5))
                    .build();
            assertThat(crashed.tryConsume(acme, Metric.API_CALLS, 5)).isTrue(); // leased 40, 5 consumed, never flushed
            // the node dies here: no close, no flush
            try (UsageMeter b = f.meter().nodeId("b").leaseChunk(100).build()) {
                f.clock.advance(Duration.ofMinutes(6));
                assertThat(b.reclaimExpiredLeases()).isEqualTo(1);
                int accepted = 0;
                while (b.tryConsume(acme, Metric.API_CALLS, 1)) {
                    accepted++;
                }
                assertThat(accepted).isEqualTo(60); // the 40 written off are lost, never granted twice
            }
            crashed.close(); // (a node thought dead that comes back returns what it did not use)
        }

        @Test
        void a_tenant_without_subscription_gets_nothing() {
            try (UsageMeter meter = f.meter().build()) {
                QuotaDecision d = meter.consume(TenantId.of("nobody"), Metric.API_CALLS, 1);
                assertThat(d.allowed()).isFalse();
                assertThat(d.limit()).isZero();
            }
        }

        @Test
        void bad_usage_is_refused_with_the_value() {
            TenantId acme = f.subscribed("acme", "standard");
            try (UsageMeter meter = f.meter().build()) {
                assertThatThrownBy(() -> meter.tryConsume(acme, Metric.API_CALLS, 0))
                        .hasMessageContaining("positive, was 0");
                assertThatThrownBy(() -> meter.record(acme, Metric.API_CALLS, -1, "k"))
                        .hasMessageContaining("must be positive, was -1");
                assertThatThrownBy(() -> meter.record(acme, Metric.API_CALLS, 1, ""))
                        .hasMessageContaining("idempotency key");
            }
            assertThat(Map.of()).isEmpty();
        }
    }
}
