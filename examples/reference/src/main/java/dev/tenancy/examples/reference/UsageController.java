package dev.tenancy.examples.reference;

import dev.tenancy.TenantId;
import dev.tenancy.billing.Billing;
import dev.tenancy.billing.Limit;
import dev.tenancy.billing.Metric;
import dev.tenancy.billing.QuotaDecision;
import dev.tenancy.billing.UsageMeter;
import dev.tenancy.billing.UsagePeriod;
import dev.tenancy.context.TenantContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A tenant's quotas and usage (the seeds' {@code /tenant/quotas} and {@code /tenant/usage}
 * endpoints): the plan's limits with any override folded in, how much of each this period is
 * used (from this node's meter, in memory), and the usage of past periods.
 */
@RestController
public class UsageController {
    private final Billing billing;
    private final UsageMeter usage;

    public UsageController(Billing billing, UsageMeter usage) {
        this.billing = billing;
        this.usage = usage;
    }

    /** The effective limit of every metric the plan or an override names. */
    @GetMapping({"/api/quotas", "/t/{tenant}/api/quotas"})
    Map<String, Limit> quotas() {
        TenantId tenant = TenantContext.require();
        return billing.subscriptions()
                .terms(tenant)
                .map(terms -> terms.limits())
                .orElse(Map.of());
    }

    /**
     * This period's usage of each metric: limit, used, remaining, whether one more is allowed, and
     * whether usage is already past the limit (after a downgrade).
     */
    @GetMapping({"/api/usage", "/t/{tenant}/api/usage"})
    Map<String, Usage> current() {
        TenantId tenant = TenantContext.require();
        Map<String, Usage> current = new LinkedHashMap<>();
        for (Metric metric : Plans.METRICS) {
            current.put(metric.key(), Usage.of(usage.check(tenant, metric, 1)));
        }
        return current;
    }

    /** One metric's usage as {@code /api/usage} shows it. */
    public record Usage(
            String metric,
            long limit,
            long used,
            long remaining,
            boolean allowed,
            boolean exceeded,
            java.time.Instant retryAfter) {
        static Usage of(QuotaDecision d) {
            return new Usage(d.metric(), d.limit(), d.used(), d.remaining(), d.allowed(), d.exceeded(), d.retryAfter());
        }
    }

    /** Campaigns created per month, newest first (what the meter has flushed). */
    @GetMapping({"/api/usage/history", "/t/{tenant}/api/usage/history"})
    List<UsagePeriod> history() {
        usage.flush(); // the demo runs one node: show this node's latest counts too
        return usage.history(TenantContext.require(), Plans.CAMPAIGNS);
    }
}
