package dev.tenancy.billing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shipped default plans: list prices in USD and the resource quotas of the product's quota
 * table. Every limit is hard; Enterprise is unlimited and sold by contract (zero list price, priced
 * per tenant with a {@link BillingOverride.FixedPrice}).
 *
 * <table>
 *   <caption>Default plans (USD; limits per month where marked)</caption>
 *   <tr><th>plan (tier)</th><th>month</th><th>year</th><th>users</th><th>storage MB</th>
 *       <th>API calls/mo</th><th>invoices/mo</th><th>integrations</th></tr>
 *   <tr><td>free (free)</td><td>0</td><td>0</td><td>2</td><td>100</td><td>1,000</td><td>10</td><td>1</td></tr>
 *   <tr><td>standard (standard)</td><td>29</td><td>290</td><td>5</td><td>1,024</td><td>10,000</td><td>100</td><td>3</td></tr>
 *   <tr><td>professional (pro)</td><td>79</td><td>790</td><td>15</td><td>5,120</td><td>50,000</td><td>500</td><td>10</td></tr>
 *   <tr><td>business (business)</td><td>199</td><td>1,990</td><td>50</td><td>20,480</td><td>200,000</td><td>2,000</td><td>25</td></tr>
 *   <tr><td>enterprise (enterprise)</td><td>contract</td><td>contract</td><td colspan="5">unlimited</td></tr>
 * </table>
 */
public final class DefaultPlans {
    private DefaultPlans() {}

    /** The five default plans, cheapest first. */
    public static List<Plan> all() {
        return List.of(
                plan("free", "Free", "free", 0, 0, 2, 100, 1_000, 10, 1),
                plan("standard", "Standard", "standard", 2_900, 29_000, 5, 1_024, 10_000, 100, 3),
                plan("professional", "Professional", "pro", 7_900, 79_000, 15, 5_120, 50_000, 500, 10),
                plan("business", "Business", "business", 19_900, 199_000, 50, 20_480, 200_000, 2_000, 25),
                new Plan("enterprise", "Enterprise", "enterprise", usd(0), usd(0), Map.of(), Set.of()));
    }

    private static Plan plan(
            String key,
            String name,
            String tier,
            long monthly,
            long annual,
            long users,
            long storageMb,
            long apiCalls,
            long invoices,
            long integrations) {
        Map<String, Limit> limits = new LinkedHashMap<>();
        limits.put(Metric.USERS.key(), Limit.hard(users));
        limits.put(Metric.STORAGE_MB.key(), Limit.hard(storageMb));
        limits.put(Metric.API_CALLS.key(), Limit.hard(apiCalls));
        limits.put(Metric.INVOICES.key(), Limit.hard(invoices));
        limits.put(Metric.INTEGRATIONS.key(), Limit.hard(integrations));
        return new Plan(key, name, tier, usd(monthly), usd(annual), limits, Set.of());
    }

    private static Money usd(long cents) {
        return Money.of(cents, "USD");
    }
}
