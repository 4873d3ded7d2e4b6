package dev.tenancy.billing;

import static dev.tenancy.billing.BillingFixture.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tenancy.TenantId;
import dev.tenancy.testkit.TestDatabase;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** For any limit, lease chunk and sequence of hot-path and durable usage: never over the limit, never a negative remainder. */
class QuotaPropertiesTest {
    private static BillingFixture f;
    private static final AtomicInteger TRIES = new AtomicInteger();

    @BeforeContainer
    static void database() {
        f = new BillingFixture(TestDatabase.Kind.H2);
    }

    @AfterContainer
    static void close() {
        f.close();
    }

    @Property(tries = 60)
    void a_hard_limit_is_never_exceeded_and_remaining_never_negative(
            @ForAll @LongRange(min = 0, max = 150) long limit,
            @ForAll @IntRange(min = 1, max = 40) int chunk,
            @ForAll @Size(max = 50) List<@LongRange(min = 1, max = 25) Long> requests) {
        int n = TRIES.incrementAndGet();
        String plan = "prop-" + n;
        f.plans.publish(
                new Plan(
                        plan,
                        "P" + n,
                        "standard",
                        Money.of(100, "USD"),
                        Money.of(1_000, "USD"),
                        Map.of("api_calls", Limit.hard(limit)),
                        Set.of()),
                ADMIN,
                "property");
        TenantId tenant = f.subscribed("prop-" + n, plan);
        long accepted = 0;
        try (UsageMeter meter = f.meter().leaseChunk(chunk).build()) {
            int i = 0;
            for (long q : requests) {
                boolean durable = i++ % 3 == 2;
                QuotaDecision d;
                boolean ok;
                if (durable) {
                    UsageRecord r = meter.record(tenant, Metric.API_CALLS, q, "k" + i);
                    d = r.decision();
                    ok = r.outcome() == UsageRecord.Outcome.COUNTED;
                } else {
                    d = meter.consume(tenant, Metric.API_CALLS, q);
                    ok = d.allowed();
                }
                if (ok) {
                    accepted += q;
                }
                assertThat(d.remaining()).isNotNegative();
                assertThat(accepted).isLessThanOrEqualTo(limit);
            }
        }
        try (UsageMeter reader = f.meter().build()) {
            List<UsagePeriod> history = reader.history(tenant, Metric.API_CALLS);
            long counted = history.isEmpty() ? 0 : history.getFirst().sum();
            assertThat(counted).isEqualTo(accepted).isLessThanOrEqualTo(limit);
        }
    }
}
