package dev.tenancy.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.flags.FeatureFlags;
import dev.tenancy.flags.FlagDefinition;
import dev.tenancy.flags.FlagEvaluation;
import dev.tenancy.flags.FlagStore;
import dev.tenancy.testkit.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The entry point wires every service to one database, audit log and clock. */
class BillingTest {
    @Test
    void services_share_one_database_and_one_set_of_subscriptions() {
        try (TestDatabase db = TestDatabase.h2()) {
            Billing billing = Billing.builder(db.dataSource())
                    .auditLog(AuditLog.inMemory())
                    .build();
            Actor admin = Actor.system("test");
            billing.plans().publishDefaults(admin);
            TenantId acme = TenantId.of("acme");
            billing.subscriptions().subscribe(acme, "standard", BillingCycle.MONTHLY, 0, admin, "test");
            try (UsageMeter meter = billing.meter().build()) {
                assertThat(meter.consume(acme, Metric.API_CALLS, 1).limit()).isEqualTo(10_000);
            }
            java.time.LocalDate today = billing.subscriptions().today();
            assertThat(billing.cycle().run(today, today, true, admin).createdCount())
                    .isEqualTo(1);
            assertThat(billing.analytics().mrr(today)).containsValue(Money.of(2_900, "USD"));
        }
    }

    @Test
    void an_upgrade_unlocks_the_plans_features_in_feature_flags() throws InterruptedException {
        try (TestDatabase db = TestDatabase.h2()) {
            AuditLog audit = AuditLog.inMemory();
            Actor admin = Actor.system("test");
            TenantCatalog catalog = TenantCatalog.inMemory(audit);
            TenantId acme = TenantId.of("acme");
            catalog.register(TenantRegistration.builder(acme, "Acme").active().build(), admin);
            try (FeatureFlags flags = FeatureFlags.builder()
                    .store(FlagStore.inMemory(audit))
                    .catalog(catalog)
                    .build()) {
                flags.define(
                        FlagDefinition.builder("sso-saml").tiers("enterprise").build(), admin, "plan feature");
                Billing billing = Billing.builder(db.dataSource())
                        .auditLog(audit)
                        .catalog(catalog)
                        .modules(ModuleEntitlements.of(flags))
                        .build();
                billing.plans().publishDefaults(admin);
                billing.subscriptions().subscribe(acme, "professional", BillingCycle.MONTHLY, 0, admin, "Signed up");
                assertThat(flags.flag("sso-saml").isEnabled(acme)).isFalse();

                billing.subscriptions().changePlan(acme, "enterprise", admin, "Contract signed");
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!flags.flag("sso-saml").isEnabled(acme) && System.nanoTime() < deadline) {
                    Thread.sleep(5); // the catalog's notice is applied on the flags' own thread
                }

                assertThat(flags.flag("sso-saml").evaluate(acme, null).reason()).isEqualTo(FlagEvaluation.Reason.PLAN);
            }
        }
    }

    @Test
    void without_an_audit_log_it_says_what_to_add() {
        try (TestDatabase db = TestDatabase.h2()) {
            assertThatThrownBy(() -> Billing.builder(db.dataSource()).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("call auditLog(...)");
        }
    }
}
