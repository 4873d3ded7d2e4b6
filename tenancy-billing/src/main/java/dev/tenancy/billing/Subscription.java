package dev.tenancy.billing;

import dev.tenancy.TenantId;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;

/**
 * A tenant's subscription as stored: the plan version it holds, its status, its billing cycle and
 * anchor, and how it pays. Overrides are separate ({@link Grant}); {@link Terms} combines both.
 *
 * @param tenant the tenant (one subscription per tenant)
 * @param planKey the plan
 * @param planVersion the version held (grandfathered until moved)
 * @param status trial, active, past due, cancelled or expired
 * @param cycle the billing cycle
 * @param anchor a day on which a period starts
 * @param anchorDay the day of month periods start on (clamped at month ends)
 * @param trialEndsOn the first day after the trial, or {@code null} without trial
 * @param startedOn the first day of the subscription
 * @param endedOn the day it was cancelled or expired, or {@code null}
 * @param autoCharge whether invoices are charged automatically
 * @param paymentMethod how the tenant pays
 * @param updatedAt the last change
 */
public record Subscription(
        TenantId tenant,
        String planKey,
        int planVersion,
        SubscriptionStatus status,
        BillingCycle cycle,
        LocalDate anchor,
        int anchorDay,
        LocalDate trialEndsOn,
        LocalDate startedOn,
        LocalDate endedOn,
        boolean autoCharge,
        PaymentMethod paymentMethod,
        Instant updatedAt) {
    public Subscription {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(planKey, "planKey");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(cycle, "cycle");
        Objects.requireNonNull(anchor, "anchor");
        Objects.requireNonNull(startedOn, "startedOn");
        Objects.requireNonNull(paymentMethod, "paymentMethod");
    }

    /** The periods of the stored cycle and anchor. */
    public BillingSchedule schedule() {
        return new BillingSchedule(cycle, anchor, anchorDay);
    }

    // ---- copies with one aspect changed, as of {@code at}; for Subscriptions ----------------

    Subscription onPlan(String planKey, int planVersion, Instant at) {
        return new Subscription(
                tenant,
                planKey,
                planVersion,
                status,
                cycle,
                anchor,
                anchorDay,
                trialEndsOn,
                startedOn,
                endedOn,
                autoCharge,
                paymentMethod,
                at);
    }

    /** Billed every {@code cycle} from {@code anchor}, on day {@code anchorDay} of the month. */
    Subscription onSchedule(BillingCycle cycle, LocalDate anchor, int anchorDay, Instant at) {
        return new Subscription(
                tenant,
                planKey,
                planVersion,
                status,
                cycle,
                anchor,
                anchorDay,
                trialEndsOn,
                startedOn,
                endedOn,
                autoCharge,
                paymentMethod,
                at);
    }

    Subscription payingBy(PaymentMethod paymentMethod, boolean autoCharge, Instant at) {
        return new Subscription(
                tenant,
                planKey,
                planVersion,
                status,
                cycle,
                anchor,
                anchorDay,
                trialEndsOn,
                startedOn,
                endedOn,
                autoCharge,
                paymentMethod,
                at);
    }

    /** In {@code status}, ended on {@code endedOn} ({@code null} while it runs). */
    Subscription inStatus(SubscriptionStatus status, LocalDate endedOn, Instant at) {
        return new Subscription(
                tenant,
                planKey,
                planVersion,
                status,
                cycle,
                anchor,
                anchorDay,
                trialEndsOn,
                startedOn,
                endedOn,
                autoCharge,
                paymentMethod,
                at);
    }
}
