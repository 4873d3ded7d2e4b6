package dev.tenancy.billing;

import static dev.tenancy.billing.BillingFixture.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tenancy.TenantId;
import dev.tenancy.testkit.TestDatabase;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PostgresBillingTest extends BillingContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRESQL;
    }

    @Test
    void aLimitRaisedThroughAnotherNode_reachesThisNodesMeter_withoutWaitingForTheTermsTtl() throws Exception {
        f.plans.publish(f.metered(5), ADMIN, "test plan");
        TenantId acme = f.subscribed("acme", "metered");
        Subscriptions otherNode = Subscriptions.builder(f.database.dataSource())
                .plans(f.plans)
                .auditLog(f.audit)
                .clock(f.clock)
                .build();
        try (UsageMeter meter =
                f.meter().termsTtl(Duration.ofHours(1)).leaseChunk(5).build()) {
            for (int i = 0; i < 5; i++) {
                assertThat(meter.tryConsume(acme, Metric.API_CALLS, 1)).isTrue();
            }
            assertThat(meter.tryConsume(acme, Metric.API_CALLS, 1)).isFalse();

            otherNode.grant(
                    acme,
                    new BillingOverride.LimitOverride("api_calls", Limit.hard(8)),
                    null,
                    null,
                    ADMIN,
                    "raised on another node");

            // The notification arrives on the meter's listening connection; poll until then (bounded).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            boolean served;
            while (!(served = meter.tryConsume(acme, Metric.API_CALLS, 1)) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(served)
                    .as("served within 10 s, not after the 1 h terms TTL")
                    .isTrue();
        }
    }
}
