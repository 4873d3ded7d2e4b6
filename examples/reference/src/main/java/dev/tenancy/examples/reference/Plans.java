package dev.tenancy.examples.reference;

import dev.tenancy.Actor;
import dev.tenancy.Tenant;
import dev.tenancy.billing.Billing;
import dev.tenancy.billing.BillingCycle;
import dev.tenancy.billing.Limit;
import dev.tenancy.billing.Metric;
import dev.tenancy.billing.Money;
import dev.tenancy.billing.Plan;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/** The campaigns service's price list: what each tier costs and how many campaigns a month it may start. */
@Component
public class Plans {
    /** Campaigns created, counted per calendar month. */
    public static final Metric CAMPAIGNS = Metric.monthly("campaigns");

    static final List<Plan> ALL = List.of(
            plan("free", "Free", "free", 0, 3, 2, 0, 100, 1_000),
            plan("professional", "Professional", "pro", 4_900, 50, 15, 1, 5_120, 50_000),
            new Plan("enterprise", "Enterprise", "enterprise", usd(0), usd(0), Map.of(), Set.of()));

    private final Billing billing;

    public Plans(Billing billing) {
        this.billing = billing;
    }

    /** Publishes the price list, once. */
    public void publish(Actor actor) {
        for (Plan plan : ALL) {
            if (billing.plans().current(plan.key()).isEmpty()) {
                billing.plans().publish(plan, actor, "the campaigns service's price list");
            }
        }
    }

    /** Subscribes {@code tenant} to the plan of its tier, unless it has a subscription. */
    public void subscribe(Tenant tenant, Actor actor) {
        if (billing.subscriptions().subscription(tenant.id()).isPresent()) {
            return;
        }
        String plan = ALL.stream()
                .filter(p -> p.tier().equals(tenant.tier()))
                .map(Plan::key)
                .findFirst()
                .orElse("free");
        billing.subscriptions().subscribe(tenant.id(), plan, BillingCycle.MONTHLY, 0, actor, "signed up");
    }

    /** The seeds' quotas: campaigns a month, seats, custom domains, storage and API calls a month. */
    private static Plan plan(
            String key,
            String name,
            String tier,
            long monthlyCents,
            long campaigns,
            long users,
            long domains,
            long storageMb,
            long apiCalls) {
        return new Plan(
                key,
                name,
                tier,
                usd(monthlyCents),
                usd(monthlyCents * 10),
                Map.of(
                        CAMPAIGNS.key(), Limit.hard(campaigns),
                        Metric.USERS.key(), Limit.hard(users),
                        Metric.CUSTOM_DOMAINS.key(), Limit.hard(domains),
                        Metric.STORAGE_MB.key(), Limit.hard(storageMb),
                        Metric.API_CALLS.key(), Limit.hard(apiCalls)),
                Set.of());
    }

    /** The metrics {@code /api/usage} shows. */
    static final List<Metric> METRICS =
            List.of(CAMPAIGNS, Metric.API_CALLS, Metric.USERS, Metric.CUSTOM_DOMAINS, Metric.STORAGE_MB);

    private static Money usd(long cents) {
        return Money.of(cents, "USD");
    }
}
