package dev.tenancy.billing;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * A subscription as it applies on one day: its plan version with the valid overrides folded in.
 * Overrides win over the subscription: the newest valid grant of each kind applies.
 *
 * @param subscription as stored
 * @param plan the plan version held
 * @param day the day these terms are for
 * @param limits the effective limit of every metric the plan or an override names
 * @param percentOff the discount in basis points, 0 for none
 * @param fixedMonthlyPrice a negotiated monthly price replacing list prices, or {@code null}
 * @param comped whether a comp is valid (nothing is invoiced)
 * @param freePlatformAccess whether the tenant has free platform access (skipped by the cycle)
 * @param trialEndsOn the trial's end including extensions, or {@code null}
 * @param schedule the billing periods (a custom cycle override replaces the stored one)
 * @param paymentMethod the effective payment method
 * @param grants the grants valid on {@code day}
 * @param fallback whether the subscription has ended (cancelled and past its paid period, or a
 *     trial that expired) and these are the fallback plan's terms ({@link
 *     Billing.Builder#fallbackPlan}): its limits, no overrides
 */
public record Terms(
        Subscription subscription,
        PlanVersion plan,
        LocalDate day,
        Map<String, Limit> limits,
        int percentOff,
        Money fixedMonthlyPrice,
        boolean comped,
        boolean freePlatformAccess,
        LocalDate trialEndsOn,
        BillingSchedule schedule,
        PaymentMethod paymentMethod,
        List<Grant> grants,
        boolean fallback) {

    /** The effective limit on {@code metric}: the override if one is valid, else the plan's. */
    public Limit limit(String metric) {
        Limit l = limits.get(metric);
        return l == null ? Limit.UNLIMITED : l;
    }

    /**
     * The last day {@code s} is paid for, when it has ended: a cancelled subscription runs to the end
     * of the billing period it was cancelled in, an expired trial to the day it expired; null while
     * it runs.
     */
    static LocalDate paidThrough(Subscription s) {
        if (s.endedOn() == null || s.status().live()) {
            return null;
        }
        if (s.status() == SubscriptionStatus.EXPIRED) {
            return s.endedOn().minusDays(1);
        }
        return s.schedule().periodContaining(s.endedOn()).lastDay();
    }

    /**
     * The terms on {@code day}: the subscription's, or, once it has ended and its paid period is
     * over, {@code fallback}'s (null: none, so there are no terms).
     */
    static Terms of(Subscription s, PlanVersion plan, List<Grant> allGrants, LocalDate day, PlanVersion fallback) {
        LocalDate paid = paidThrough(s);
        if (paid == null || !day.isAfter(paid)) {
            return of(s, plan, allGrants, day);
        }
        if (fallback == null) {
            return null;
        }
        return new Terms(
                s,
                fallback,
                day,
                java.util.Collections.unmodifiableMap(
                        new java.util.LinkedHashMap<>(fallback.plan().limits())),
                0,
                null,
                false,
                false,
                null,
                s.schedule(),
                s.paymentMethod(),
                List.of(),
                true);
    }

    /** Folds the grants valid on {@code day} (any order; the newest of a kind wins) into the subscription. */
    static Terms of(Subscription s, PlanVersion plan, List<Grant> allGrants, LocalDate day) {
        List<Grant> valid = allGrants.stream()
                .filter(g -> g.appliesOn(day))
                .sorted(java.util.Comparator.comparingLong(Grant::id))
                .toList();
        Map<String, Limit> limits = new java.util.LinkedHashMap<>(plan.plan().limits());
        int percentOff = 0;
        Money fixed = null;
        boolean comp = false;
        boolean free = false;
        BillingSchedule schedule = s.schedule();
        PaymentMethod method = s.paymentMethod();
        for (Grant g : valid) {
            switch (g.override()) {
                case BillingOverride.PercentOff p -> percentOff = p.basisPoints();
                case BillingOverride.FixedPrice f -> fixed = f.monthly();
                case BillingOverride.LimitOverride l -> limits.put(l.metric(), l.limit());
                case BillingOverride.Comp c -> comp = true;
                case BillingOverride.ExtendedTrial t -> {}
                case BillingOverride.CustomCycle c ->
                    schedule = new BillingSchedule(c.cycle(), s.anchor(), c.anchorDay());
                case BillingOverride.PaymentMethodOverride m -> method = m.method();
                case BillingOverride.FreePlatformAccess f -> free = true;
            }
        }
        LocalDate trialEnd = s.trialEndsOn();
        if (trialEnd != null) {
            // every extension granted (valid or not yet expired) adds its days to the trial
            for (Grant g : allGrants) {
                if (!g.revoked() && g.override() instanceof BillingOverride.ExtendedTrial t) {
                    trialEnd = trialEnd.plusDays(t.days());
                }
            }
        }
        return new Terms(
                s,
                plan,
                day,
                java.util.Collections.unmodifiableMap(limits),
                percentOff,
                fixed,
                comp,
                free,
                trialEnd,
                schedule,
                method,
                valid,
                false);
    }
}
