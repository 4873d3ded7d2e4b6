package dev.tenancy.billing;

import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * Revenue analytics for the admin console: MRR, ARR, plan mix, churn, new tenants and upsell
 * candidates. Money is per currency and never summed across currencies; ratios are exact decimals
 * (four places), never floating point.
 *
 * <h2>Definitions</h2>
 *
 * <ul>
 *   <li><b>MRR</b> (as Stripe defines it): the sum over active and past-due subscriptions of the
 *       recurring price normalised to one month (annual / 12, quarterly / 3) after permanent
 *       discounts (granted without end date); trials, comps, free platform access and free plans
 *       count zero; usage, overage and tax are never in it. Example: Professional monthly (79.00)
 *       with the Commerce OS bundle (398.00) and a permanent 15 % discount is 405.45; Standard
 *       annual (290.00) is 24.17.
 *   <li><b>ARR</b> = MRR × 12.
 *   <li><b>Logo churn</b> over [from, to]: customers (MRR &gt; 0) at {@code from} who have none at
 *       {@code to}, over customers at {@code from}; a tenant who joined and left inside the period
 *       was never a customer at its start and does not count. Example: 4 customers on 1 May, one
 *       cancelled by 1 June: 25 %.
 *   <li><b>Gross MRR churn</b>: (MRR lost from churned customers + contraction of the others) / MRR
 *       at {@code from}. <b>Net MRR churn</b>: the same minus expansion of existing customers
 *       (negative when expansion outweighs losses). Example: start 1,000.00 from A 100, B 200, C
 *       300, D 400; by the end A left, B grew to 250, C shrank to 200, and E joined at 500: gross
 *       (100 + 100) / 1,000 = 20 %, net (100 + 100 − 50) / 1,000 = 15 % (E is new, not expansion).
 * </ul>
 *
 * <p>Churn compares two {@linkplain #snapshot snapshots} of per-tenant MRR (take one each day or
 * each month, for example after the subscription cycle): history is what was true then, not a
 * reconstruction from today's rows.
 */
public final class BillingAnalytics {
    private final BillingDatabase db;
    private final Subscriptions subscriptions;
    private final UsageStore usage;
    private final InvoiceCalculator calculator;

    private BillingAnalytics(Builder b) {
        this.db = new BillingDatabase(b.dataSource, b.audit);
        this.usage = b.usage == null ? UsageStore.jdbc(b.dataSource) : b.usage;
        this.subscriptions = Objects.requireNonNull(b.subscriptions, "subscriptions");
        this.calculator = new InvoiceCalculator(b.pricing, b.modules);
    }

    static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /** MRR on {@code day}, per currency. */
    public Map<Currency, Money> mrr(LocalDate day) {
        Map<Currency, Money> out = new TreeMap<>(java.util.Comparator.comparing(Currency::getCurrencyCode));
        for (Terms t : subscriptions.allTerms(day)) {
            Money m = calculator.mrr(t);
            out.merge(m.currency(), m, Money::plus);
        }
        return out;
    }

    /** ARR = MRR × 12, per currency. */
    public Map<Currency, Money> arr(LocalDate day) {
        Map<Currency, Money> out = new TreeMap<>(java.util.Comparator.comparing(Currency::getCurrencyCode));
        mrr(day).forEach((c, m) -> out.put(c, m.times(12)));
        return out;
    }

    /** One plan's share: paying tenants on it and their MRR per currency. */
    public record PlanMix(String plan, int tenants, Map<Currency, Money> mrr) {}

    /** Paying tenants (MRR &gt; 0) and MRR by plan on {@code day}, by plan key. */
    public List<PlanMix> planMix(LocalDate day) {
        Map<String, int[]> counts = new TreeMap<>();
        Map<String, Map<Currency, Money>> money = new HashMap<>();
        for (Terms t : subscriptions.allTerms(day)) {
            Money m = calculator.mrr(t);
            if (!m.isPositive()) {
                continue;
            }
            counts.computeIfAbsent(t.plan().key(), k -> new int[1])[0]++;
            money.computeIfAbsent(
                            t.plan().key(),
                            k -> new TreeMap<>(java.util.Comparator.comparing(Currency::getCurrencyCode)))
                    .merge(m.currency(), m, Money::plus);
        }
        List<PlanMix> out = new ArrayList<>();
        counts.forEach((plan, n) -> out.add(new PlanMix(plan, n[0], Map.copyOf(money.get(plan)))));
        return out;
    }

    /** Subscriptions started in {@code [from, to]} (both included): new tenants of the period. */
    public int newTenants(LocalDate from, LocalDate to) {
        BillingPeriod p = BillingPeriod.inclusive(from, to);
        return (int) subscriptions.accounts().stream()
                .filter(a -> p.contains(a.subscription().startedOn()))
                .count();
    }

    /**
     * The tenants that churned in {@code [from, to]}: whose subscription ended (cancelled by the
     * customer, or with the tenant archived, rejected or purged, which cancels it) on a day in
     * the range, as the admin manual counts churn ("tenants archived this period"), in tenant order.
     */
    public List<TenantId> churnedTenants(LocalDate from, LocalDate to) {
        BillingPeriod p = BillingPeriod.inclusive(from, to);
        return subscriptions.list(SubscriptionStatus.CANCELLED).stream()
                .filter(s -> s.endedOn() != null && p.contains(s.endedOn()))
                .map(Subscription::tenant)
                .toList();
    }

    /** Stores every tenant's MRR on {@code day} (replacing an earlier snapshot of that day); returns how many. */
    public int snapshot(LocalDate day) {
        List<Terms> all = subscriptions.allTerms(day);
        return db.change("snapshot MRR on " + day, (c, audit) -> {
            try (PreparedStatement s =
                    c.prepareStatement("DELETE FROM tenancy.tenancy_mrr_snapshots WHERE snapshot_day = ?")) {
                s.setObject(1, day);
                s.executeUpdate();
            }
            try (PreparedStatement s =
                    c.prepareStatement("INSERT INTO tenancy.tenancy_mrr_snapshots (snapshot_day, tenant_id,"
                            + " plan_key, currency, mrr_minor) VALUES (?, ?, ?, ?, ?)")) {
                for (Terms t : all) {
                    Money m = calculator.mrr(t);
                    s.setObject(1, day);
                    s.setString(2, t.subscription().tenant().value());
                    s.setString(3, t.plan().key());
                    s.setString(4, m.currency().getCurrencyCode());
                    s.setLong(5, m.minor());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return all.size();
        });
    }

    /** MRR churn of one currency. */
    public record MrrChurn(
            Money startMrr, Money churned, Money contraction, Money expansion, BigDecimal gross, BigDecimal net) {}

    /**
     * Churn between the snapshots of {@code from} and {@code to}.
     *
     * @param customersAtStart tenants with MRR &gt; 0 at {@code from}
     * @param customersLost of those, the ones with none at {@code to}
     * @param logoChurn lost / at start (0 when there were none)
     * @param mrr MRR churn per currency
     */
    public record Churn(
            LocalDate from,
            LocalDate to,
            int customersAtStart,
            int customersLost,
            BigDecimal logoChurn,
            Map<Currency, MrrChurn> mrr) {}

    /**
     * Churn over {@code [from, to]} from the two snapshots.
     *
     * @throws IllegalStateException naming the day when a snapshot is missing
     */
    public Churn churn(LocalDate from, LocalDate to) {
        Map<TenantId, Money> start = snapshotOf(from);
        Map<TenantId, Money> end = snapshotOf(to);
        int customers = 0;
        int lost = 0;
        Map<Currency, long[]> sums = new TreeMap<>(java.util.Comparator.comparing(Currency::getCurrencyCode));
        for (Map.Entry<TenantId, Money> e : start.entrySet()) {
            Money before = e.getValue();
            if (!before.isPositive()) {
                continue;
            }
            customers++;
            long[] s =
                    sums.computeIfAbsent(before.currency(), c -> new long[4]); // start, churned, contraction, expansion
            s[0] += before.minor();
            Money after = end.get(e.getKey());
            if (after == null || !after.isPositive()) {
                lost++;
                s[1] += before.minor();
            } else if (!after.currency().equals(before.currency())) {
                s[1] += before.minor(); // moved to another currency: lost in this one
            } else if (after.minor() < before.minor()) {
                s[2] += before.minor() - after.minor();
            } else {
                s[3] += after.minor() - before.minor();
            }
        }
        Map<Currency, MrrChurn> mrr = new TreeMap<>(java.util.Comparator.comparing(Currency::getCurrencyCode));
        sums.forEach((c, s) -> mrr.put(
                c,
                new MrrChurn(
                        new Money(s[0], c),
                        new Money(s[1], c),
                        new Money(s[2], c),
                        new Money(s[3], c),
                        ratio(s[1] + s[2], s[0]),
                        ratio(s[1] + s[2] - s[3], s[0]))));
        return new Churn(from, to, customers, lost, ratio(lost, customers), Map.copyOf(mrr));
    }

    private static BigDecimal ratio(long part, long whole) {
        return whole == 0
                ? BigDecimal.ZERO.setScale(4)
                : BigDecimal.valueOf(part).divide(BigDecimal.valueOf(whole), 4, RoundingMode.HALF_EVEN);
    }

    private Map<TenantId, Money> snapshotOf(LocalDate day) {
        Map<TenantId, Money> out = db.read("read the MRR snapshot of " + day, c -> {
            Map<TenantId, Money> m = new HashMap<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT tenant_id, currency, mrr_minor FROM tenancy.tenancy_mrr_snapshots WHERE snapshot_day = ?")) {
                s.setObject(1, day);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        m.put(
                                TenantId.of(rs.getString(1)),
                                Money.of(rs.getLong(3), rs.getString(2).trim()));
                    }
                }
            }
            return m;
        });
        if (out.isEmpty()) {
            throw new IllegalStateException("There is no MRR snapshot of " + day + ": take one with snapshot(" + day
                    + ") on that day (churn compares what was true then)");
        }
        return out;
    }

    /** A tenant using at least the asked share of a limit. */
    public record UpsellCandidate(TenantId tenant, String plan, String metric, long used, long limit) {}

    /**
     * Tenants whose usage of a limited metric in the current period (monthly metrics) or in total
     * (others) has reached {@code basisPoints}/10,000 of the effective limit, on {@code day}; sorted
     * by tenant and metric.
     */
    public List<UpsellCandidate> upsellCandidates(int basisPoints, LocalDate day) {
        if (basisPoints < 1 || basisPoints > 100_000) {
            throw new IllegalArgumentException(
                    "The share is 1 to 100,000 basis points (0.01 % to 1,000 %), was " + basisPoints);
        }
        Map<TenantId, Map<String, Map<LocalDate, Long>>> counters = new HashMap<>();
        List<UsageStore.PeriodUsage> rows =
                new ArrayList<>(usage.periods(UsageMeter.LIFETIME, UsageMeter.LIFETIME.plusDays(1)));
        rows.addAll(usage.periods(day.minusMonths(2).plusDays(1), LocalDate.MAX));
        for (UsageStore.PeriodUsage u : rows) {
            counters.computeIfAbsent(u.tenant(), k -> new HashMap<>())
                    .computeIfAbsent(u.metric(), k -> new HashMap<>())
                    .put(u.periodStart(), u.used());
        }
        List<UpsellCandidate> out = new ArrayList<>();
        for (Terms t : subscriptions.allTerms(day)) {
            Map<String, Map<LocalDate, Long>> mine =
                    counters.get(t.subscription().tenant());
            if (mine == null) {
                continue;
            }
            LocalDate month = new BillingSchedule(
                            BillingCycle.MONTHLY,
                            t.subscription().anchor(),
                            t.subscription().anchorDay())
                    .periodContaining(day)
                    .start();
            new TreeMap<>(mine).forEach((metric, periods) -> {
                Limit limit = t.limit(metric);
                if (limit.unlimited() || limit.max() == 0) {
                    return;
                }
                Long used = periods.containsKey(UsageMeter.LIFETIME)
                        ? periods.get(UsageMeter.LIFETIME)
                        : periods.get(month);
                if (used != null
                        && BigDecimal.valueOf(used)
                                        .multiply(BigDecimal.valueOf(10_000))
                                        .compareTo(BigDecimal.valueOf(limit.max())
                                                .multiply(BigDecimal.valueOf(basisPoints)))
                                >= 0) {
                    out.add(new UpsellCandidate(
                            t.subscription().tenant(), t.plan().key(), metric, used, limit.max()));
                }
            });
        }
        return out;
    }

    /** Builds {@link BillingAnalytics}. */
    static final class Builder {
        private final DataSource dataSource;
        private UsageStore usage;
        private AuditLog audit;
        private Subscriptions subscriptions;
        private ModuleEntitlements modules = ModuleEntitlements.none();
        private PricingConfig pricing = PricingConfig.defaults();

        /** Where usage is read for upsell candidates (default the JDBC store on this data source). */
        Builder usage(UsageStore usage) {
            this.usage = usage;
            return this;
        }

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        public Builder subscriptions(Subscriptions subscriptions) {
            this.subscriptions = subscriptions;
            return this;
        }

        /** The same module entitlements as the subscription cycle's. */
        public Builder modules(ModuleEntitlements modules) {
            this.modules = Objects.requireNonNull(modules, "modules");
            return this;
        }

        /** The same pricing as the subscription cycle's. */
        public Builder pricing(PricingConfig pricing) {
            this.pricing = Objects.requireNonNull(pricing, "pricing");
            return this;
        }

        public Builder auditLog(AuditLog audit) {
            this.audit = audit;
            return this;
        }

        public BillingAnalytics build() {
            return new BillingAnalytics(this);
        }
    }
}
