package dev.tenancy.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.testkit.TestDatabase;
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
    void without_an_audit_log_it_says_what_to_add() {
        try (TestDatabase db = TestDatabase.h2()) {
            assertThatThrownBy(() -> Billing.builder(db.dataSource()).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("call auditLog(...)");
        }
    }
}
