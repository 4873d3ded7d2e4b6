package dev.tenancy.billing;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What a tenant owes for a period, and its monthly recurring revenue: one calculation for the cycle and analytics. */
final class InvoiceCalculator {
    private final PricingConfig pricing;
    private final ModuleEntitlements modules;

    InvoiceCalculator(PricingConfig pricing, ModuleEntitlements modules) {
        this.pricing = pricing;
        this.modules = modules;
    }

    /**
     * Monthly recurring revenue of one subscription, as Stripe defines it: the recurring price (plan
     * or contract price, modules, bundles) normalised to one month (an annual price / 12, a
     * quarterly / 3, rounded half-even to the minor unit), after a permanent discount (one granted
     * without an end date); zero for trials, comps, free platform access, free plans and
     * subscriptions not active or past due. Usage (overage) and tax are never in it.
     */
    Money mrr(Terms t) {
        Money zero = Money.zero(t.plan().plan().monthlyPrice().currency());
        if (!t.subscription().status().billable() || t.comped() || t.freePlatformAccess()) {
            return zero;
        }
        Money recurring = recurringLines(t).stream().map(InvoiceLine::amount).reduce(zero, Money::plus);
        Grant discount = null;
        for (Grant g : t.grants()) {
            if (g.override() instanceof BillingOverride.PercentOff) {
                discount = g; // grants are oldest first: the newest wins, as in the terms
            }
        }
        if (discount != null && discount.until() == null) {
            recurring = recurring.minus(
                    recurring.percent(((BillingOverride.PercentOff) discount.override()).basisPoints()));
        }
        return recurring.dividedBy(t.schedule().cycle().months());
    }

    /** Plan or contract price and modules for one period of the tenant's cycle. */
    private List<InvoiceLine> recurringLines(Terms t) {
        Plan plan = t.plan().plan();
        int months = t.schedule().cycle().months();
        Money zero = Money.zero(plan.monthlyPrice().currency());
        List<InvoiceLine> lines = new ArrayList<>();
        if (t.fixedMonthlyPrice() != null) {
            lines.add(InvoiceLine.of(
                    InvoiceLine.Kind.CONTRACT,
                    plan.key(),
                    plan.name() + " (contract price)",
                    months,
                    t.fixedMonthlyPrice()));
            return lines;
        }
        Money planPrice = plan.price(t.schedule().cycle());
        if (planPrice.isPositive()) {
            lines.add(InvoiceLine.of(
                    InvoiceLine.Kind.PLAN,
                    plan.key(),
                    plan.name() + " (" + t.schedule().cycle().label() + ")",
                    1,
                    planPrice));
        }
        Set<String> on = new LinkedHashSet<>(modules.enabled(t.subscription().tenant(), pricing.soldModules()));
        on.removeAll(plan.modules());
        if (!on.isEmpty()) {
            requireCurrency(t, zero);
            lines.addAll(moduleLines(on, months));
        }
        return lines;
    }

    /** The invoice of one tenant for one period (pure: same inputs, same invoice). */
    Invoice invoice(Terms t, BillingPeriod period, Map<String, List<long[]>> usage) {
        Plan plan = t.plan().plan();
        Money zero = Money.zero(plan.monthlyPrice().currency());
        List<InvoiceLine> lines = recurringLines(t);
        Money recurring = lines.stream().map(InvoiceLine::amount).reduce(zero, Money::plus);
        if (t.percentOff() > 0 && recurring.isPositive()) {
            Money off = recurring.percent(t.percentOff());
            lines.add(new InvoiceLine(
                    InvoiceLine.Kind.DISCOUNT,
                    "percent_off",
                    java.math.BigDecimal.valueOf(t.percentOff(), 2)
                                    .stripTrailingZeros()
                                    .toPlainString() + " % off",
                    1,
                    off.negate(),
                    off.negate()));
        }
        BillingPeriod previous = t.schedule().periodContaining(period.start().minusDays(1));
        t.limits().forEach((metric, limit) -> {
            if (limit.enforcement() != Limit.Enforcement.SOFT || limit.overagePrice() == null || limit.unlimited()) {
                return;
            }
            long over = 0;
            for (long[] counter : usage.getOrDefault(metric, List.of())) {
                LocalDate start = LocalDate.ofEpochDay(counter[0]);
                if (previous.contains(start)) {
                    over += Math.max(0, counter[1] - limit.max());
                }
            }
            if (over > 0) {
                lines.add(InvoiceLine.of(
                        InvoiceLine.Kind.OVERAGE,
                        metric,
                        metric + " over " + limit.max() + " in " + previous,
                        over,
                        limit.overagePrice()));
            }
        });
        Money total = lines.stream().map(InvoiceLine::amount).reduce(zero, Money::plus);
        LocalDate issued = period.start()
                .withDayOfMonth(
                        Math.min(pricing.invoiceIssueDay(), period.start().lengthOfMonth()));
        if (issued.isBefore(period.start())) {
            issued = period.start();
        }
        return new Invoice(
                Invoice.idOf(t.subscription().tenant(), period.start()),
                t.subscription().tenant(),
                period,
                issued,
                issued.plusDays(pricing.paymentDueDays()),
                total,
                InvoiceStatus.OPEN,
                lines);
    }

    private void requireCurrency(Terms t, Money zero) {
        if (!pricing.currencyUnit().equals(zero.currency())) {
            throw new IllegalStateException("Tenant '" + t.subscription().tenant() + "' is billed in " + zero.currency()
                    + " but modules are priced in " + pricing.currency()
                    + ": use one currency for plans and module pricing");
        }
    }

    /** Module and bundle lines: the cheapest set of disjoint, fully enabled bundles, then single modules. */
    private List<InvoiceLine> moduleLines(Set<String> on, int months) {
        List<Map.Entry<String, PricingConfig.Bundle>> candidates = new ArrayList<>();
        for (Map.Entry<String, PricingConfig.Bundle> e : pricing.bundles().entrySet()) {
            if (on.containsAll(e.getValue().modules())) {
                candidates.add(e);
            }
        }
        long best = Long.MAX_VALUE;
        int bestLines = Integer.MAX_VALUE;
        int bestMask = 0;
        for (int mask = 0; mask < (1 << candidates.size()); mask++) {
            Set<String> covered = new HashSet<>();
            long price = 0;
            boolean disjoint = true;
            for (int i = 0; i < candidates.size() && disjoint; i++) {
                if ((mask & (1 << i)) != 0) {
                    PricingConfig.Bundle b = candidates.get(i).getValue();
                    for (String m : b.modules()) {
                        disjoint &= covered.add(m);
                    }
                    price += b.monthlyPriceCents();
                }
            }
            if (!disjoint) {
                continue;
            }
            int lineCount = Integer.bitCount(mask);
            for (String m : on) {
                if (!covered.contains(m)) {
                    price += pricing.price(m).map(Money::minor).orElse(0L);
                    lineCount++;
                }
            }
            // cheaper wins; at the same price, fewer lines (the customer sees the OS they bought)
            if (price < best || (price == best && lineCount < bestLines)) {
                best = price;
                bestLines = lineCount;
                bestMask = mask;
            }
        }
        List<InvoiceLine> lines = new ArrayList<>();
        Set<String> covered = new HashSet<>();
        for (int i = 0; i < candidates.size(); i++) {
            if ((bestMask & (1 << i)) != 0) {
                PricingConfig.Bundle b = candidates.get(i).getValue();
                covered.addAll(b.modules());
                lines.add(InvoiceLine.of(
                        InvoiceLine.Kind.BUNDLE,
                        candidates.get(i).getKey(),
                        b.name(),
                        months,
                        Money.of(b.monthlyPriceCents(), pricing.currency())));
            }
        }
        for (String m : on) {
            if (!covered.contains(m)) {
                pricing.price(m).ifPresent(p -> lines.add(InvoiceLine.of(InvoiceLine.Kind.MODULE, m, m, months, p)));
            }
        }
        return lines;
    }
}
