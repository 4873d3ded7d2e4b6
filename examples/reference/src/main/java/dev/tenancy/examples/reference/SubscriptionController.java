package dev.tenancy.examples.reference;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.billing.Billing;
import dev.tenancy.billing.Invoice;
import dev.tenancy.billing.PlanVersion;
import dev.tenancy.billing.Subscription;
import dev.tenancy.billing.SubscriptionStatus;
import dev.tenancy.billing.Terms;
import dev.tenancy.context.TenantContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * A tenant's own subscription (the seeds' {@code /tenant/subscription} endpoints) and the public
 * price list ({@code /plans}): the plan it holds with its effective limits, a move to another plan
 * (an upgrade or a downgrade: the catalog's tier, and with it the plan's features, follow), a
 * cancellation, and its billing history. Every change is audited by the library as the tenant's
 * admin.
 */
@RestController
public class SubscriptionController {
    private final Billing billing;

    public SubscriptionController(Billing billing) {
        this.billing = billing;
    }

    /** The plans on sale, each at its current version; served with no tenant. */
    @GetMapping("/api/plans")
    List<PlanVersion> plans() {
        return billing.plans().currentPlans();
    }

    @GetMapping("/api/plans/{key}")
    PlanVersion plan(@PathVariable("key") String key) {
        return billing.plans()
                .current(key)
                .orElseThrow(() -> new IllegalArgumentException("No plan '" + key + "': GET /api/plans lists them"));
    }

    /** The subscription with today's terms: the plan version held, the effective limits, a trial's end. */
    @GetMapping({"/api/subscription", "/t/{tenant}/api/subscription"})
    Map<String, Object> subscription() {
        TenantId tenant = TenantContext.require();
        Terms terms = billing.subscriptions().terms(tenant).orElseThrow(() -> noSubscription(tenant));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("subscription", terms.subscription());
        body.put("plan", terms.plan());
        body.put("limits", terms.limits());
        body.put("percentOff", terms.percentOff());
        body.put("trialEndsOn", terms.trialEndsOn());
        body.put("paymentMethod", terms.paymentMethod());
        return body;
    }

    /** Moves to the current version of {@code {"plan": ...}}: an upgrade or a downgrade. */
    @PostMapping({"/api/subscription/plan", "/t/{tenant}/api/subscription/plan"})
    Subscription changePlan(@RequestBody Map<String, String> body) {
        TenantId tenant = TenantContext.require();
        requireSubscription(tenant);
        String plan = body.get("plan");
        if (plan == null || plan.isBlank()) {
            throw new IllegalArgumentException("Name the plan to move to, like {\"plan\": \"professional\"}");
        }
        return billing.subscriptions().changePlan(tenant, plan, admin(tenant), reason(body, "changed plan"));
    }

    /** Ends the subscription: no further invoices. The tenant's data stays (offboarding is the platform's). */
    @PostMapping({"/api/subscription/cancel", "/t/{tenant}/api/subscription/cancel"})
    Subscription cancel(@RequestBody(required = false) Map<String, String> body) {
        TenantId tenant = TenantContext.require();
        requireSubscription(tenant);
        return billing.subscriptions()
                .transition(
                        tenant, SubscriptionStatus.CANCELLED, admin(tenant), reason(body, "cancelled by the tenant"));
    }

    /** The billing history: every invoice the tenant was issued. */
    @GetMapping({"/api/subscription/invoices", "/t/{tenant}/api/subscription/invoices"})
    List<Invoice> invoices() {
        return billing.cycle().invoices(TenantContext.require());
    }

    private void requireSubscription(TenantId tenant) {
        if (billing.subscriptions().subscription(tenant).isEmpty()) {
            throw noSubscription(tenant);
        }
    }

    private static IllegalStateException noSubscription(TenantId tenant) {
        return new IllegalStateException(
                "Tenant '" + tenant + "' has no subscription (a sandbox, or not yet approved)");
    }

    private static String reason(Map<String, String> body, String fallback) {
        String reason = body == null ? null : body.get("reason");
        return reason == null || reason.isBlank() ? fallback : reason;
    }

    /** The demo's tenant admin: a deployment takes it from the signed-in user. */
    private static Actor admin(TenantId tenant) {
        return Actor.user("admin@" + tenant.value() + ".example", "company_admin");
    }
}
