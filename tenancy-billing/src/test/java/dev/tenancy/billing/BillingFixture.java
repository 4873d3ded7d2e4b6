package dev.tenancy.billing;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.JdbcAuditLog;
import dev.tenancy.testkit.MutableClock;
import dev.tenancy.testkit.TestDatabase;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/** A platform database with the billing tables, the default plans and a settable clock. */
final class BillingFixture implements AutoCloseable {
    static final Actor ADMIN = Actor.user("ops-1", "system_admin");

    final TestDatabase database;
    final MutableClock clock = new MutableClock(Instant.parse("2026-05-01T09:00:00Z"));
    final AuditLog audit;
    final PlanCatalog plans;
    final Subscriptions subscriptions;
    final UsageStore usage;

    BillingFixture(TestDatabase.Kind kind) {
        this(kind, false);
    }

    /** With {@code inMemoryUsage}, usage lives in an in-memory store; everything else in the database. */
    BillingFixture(TestDatabase.Kind kind, boolean inMemoryUsage) {
        this.database = TestDatabase.of(kind);
        this.usage = inMemoryUsage ? UsageStore.inMemory() : UsageStore.jdbc(database.dataSource());
        this.audit = JdbcAuditLog.builder(database.dataSource()).clock(clock).build();
        this.plans = PlanCatalog.builder(database.dataSource())
                .auditLog(audit)
                .clock(clock)
                .build();
        plans.publishDefaults(ADMIN);
        this.subscriptions = Subscriptions.builder(database.dataSource())
                .plans(plans)
                .auditLog(audit)
                .clock(clock)
                .build();
    }

    /** A plan "metered" with a hard limit of {@code max} API calls and a soft limit of 10 invoices at 0.50 each. */
    Plan metered(long max) {
        return new Plan(
                "metered",
                "Metered",
                "standard",
                Money.of(1_000, "USD"),
                Money.of(10_000, "USD"),
                Map.of(
                        "api_calls", Limit.hard(max),
                        "invoices", Limit.soft(10, Money.of(50, "USD")),
                        "users", Limit.hard(3)),
                Set.of());
    }

    TenantId subscribed(String id, String plan) {
        TenantId t = TenantId.of(id);
        subscriptions.subscribe(t, plan, BillingCycle.MONTHLY, 0, ADMIN, "test");
        return t;
    }

    UsageMeter.Builder meter() {
        return UsageMeter.builder(usage).subscriptions(subscriptions).clock(clock);
    }

    /** The invoice of {@code tenant} in a run's result. */
    Invoice cycle(CycleResult result, TenantId tenant) {
        return result.invoices().stream()
                .filter(i -> i.tenant().equals(tenant))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no invoice for " + tenant + " in " + result.counters()));
    }

    @Override
    public void close() {
        database.close();
    }
}
