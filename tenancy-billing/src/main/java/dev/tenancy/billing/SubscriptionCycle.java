package dev.tenancy.billing;

import dev.tenancy.Actor;
import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.TenantStatus;
import dev.tenancy.audit.AuditEntry;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantQuery;
import dev.tenancy.internal.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntConsumer;
import javax.sql.DataSource;

/**
 * The subscription cycle: invoices every billable tenant for its billing period that starts in
 * {@code [periodFrom, periodTo]}, and reports the admin manual's counters.
 *
 * <pre>{@code
 * SubscriptionCycle cycle = billing.cycle();
 * CycleResult preview = cycle.run(may1, may31, true, admin);   // writes nothing
 * CycleResult result  = cycle.run(may1, may31, false, admin);  // the same counters, now real
 * }</pre>
 *
 * <h2>What an invoice holds</h2>
 *
 * <p>The plan's list price for the period ({@link Plan#price}), or a negotiated {@link
 * BillingOverride.FixedPrice} per month instead of plan and modules; each enabled module not
 * included in the plan at its monthly price, except that modules forming a whole bundle are charged
 * at the bundle's price (the cheapest combination of disjoint bundles wins); a {@link
 * BillingOverride.PercentOff} discount off that recurring subtotal; and, for soft limits with an
 * overage price, the units used over the limit in the previous billing period. Dated on the
 * configuration's invoice issue day (not before the period starts), due {@code paymentDueDays}
 * later.
 *
 * <h2>Exactly one invoice per tenant and period</h2>
 *
 * <p>The database holds at most one invoice per (tenant, period start) (a unique constraint).
 * Tenants are written in batches of {@link Builder#batchSize} (default 1,000), each batch one
 * transaction; an invoice that already exists is a skip, never an error or a second invoice, and a
 * batch that collides with a concurrent run is rolled back and retried, seeing the other run's
 * invoices as existing. So reruns, concurrent runs, and a crash midway followed by a rerun all end
 * with the same invoices. A dry run computes exactly the same result and writes nothing (not even
 * the audit event a real run writes).
 */
public final class SubscriptionCycle {
    private static final Set<TenantStatus> NOT_BILLED = Set.of(
            TenantStatus.PENDING_APPROVAL,
            TenantStatus.SUSPENDED,
            TenantStatus.ARCHIVED,
            TenantStatus.REJECTED,
            TenantStatus.PURGED);

    private final BillingDatabase db;
    private final Subscriptions subscriptions;
    private final UsageStore usage;
    private final TenantCatalog catalog;
    private final InvoiceCalculator calculator;
    private final InstantSource clock;
    private final int batchSize;
    IntConsumer afterBatch = batch -> {}; // tests: simulate a crash between batches

    private SubscriptionCycle(Builder b) {
        this.db = new BillingDatabase(b.dataSource, b.audit);
        this.usage = b.usage == null ? UsageStore.jdbc(b.dataSource) : b.usage;
        this.subscriptions = Objects.requireNonNull(b.subscriptions, "subscriptions");
        this.catalog = b.catalog;
        this.calculator = new InvoiceCalculator(b.pricing, b.modules);
        this.clock = b.clock;
        this.batchSize = b.batchSize;
    }

    static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * Runs the cycle for the billing periods that start between {@code periodFrom} and {@code
     * periodTo} (both included).
     *
     * @param dryRun compute everything, write nothing
     */
    public CycleResult run(LocalDate periodFrom, LocalDate periodTo, boolean dryRun, Actor actor) {
        Objects.requireNonNull(actor, "actor");
        BillingPeriod window = BillingPeriod.inclusive(periodFrom, periodTo);
        if (!dryRun && subscriptions.hasCatalog()) {
            subscriptions.endOffboarded(actor); // what a missed catalog notification left running
        }
        Set<TenantId> inactive = inactiveTenants();
        List<Subscriptions.Account> accounts = subscriptions.accounts();
        List<Terms> all = accounts.stream().map(a -> a.termsOn(periodFrom)).toList();
        Map<TenantId, Map<String, List<long[]>>> usage = usage(all, window);

        int free = 0;
        int status = 0;
        int noCharge = 0;
        int notDue = 0;
        List<Invoice> due = new ArrayList<>();
        for (int k = 0; k < all.size(); k++) {
            Terms t = all.get(k);
            TenantId tenant = t.subscription().tenant();
            if (inactive.contains(tenant) || !t.subscription().status().billable()) {
                status++;
                continue;
            }
            BillingPeriod period = t.schedule().periodContaining(periodFrom);
            if (period.start().isBefore(periodFrom)) {
                period = t.schedule().next(period);
            }
            if (!window.contains(period.start())) {
                notDue++;
                continue;
            }
            // overrides as they stand on the first day of the period billed
            Terms atStart =
                    period.start().equals(periodFrom) ? t : accounts.get(k).termsOn(period.start());
            if (atStart.freePlatformAccess() || atStart.comped()) {
                free++;
                continue;
            }
            Invoice invoice = calculator.invoice(atStart, period, usage.getOrDefault(tenant, Map.of()));
            if (!invoice.total().isPositive()) {
                noCharge++;
                continue;
            }
            due.add(invoice);
        }

        List<Invoice> created = new ArrayList<>();
        int existing;
        if (dryRun) {
            Set<TenantId> have = db.read("read existing invoices", c -> existing(c, due));
            for (Invoice i : due) {
                if (!have.contains(i.tenant())) {
                    created.add(i);
                }
            }
            existing = due.size() - created.size();
        } else {
            existing = 0;
            for (int from = 0, batch = 0; from < due.size(); from += batchSize, batch++) {
                List<Invoice> slice = due.subList(from, Math.min(due.size(), from + batchSize));
                List<Invoice> written = write(slice);
                created.addAll(written);
                existing += slice.size() - written.size();
                afterBatch.accept(batch);
            }
        }
        CycleResult result = new CycleResult(
                periodFrom, periodTo, dryRun, created.size(), existing, free, status, noCharge, notDue, created);
        if (!dryRun) {
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("createdCount", result.createdCount());
            meta.put("skippedExistingCount", result.skippedExistingCount());
            meta.put("skippedFreeCount", result.skippedFreeCount());
            meta.put("skippedStatusCount", result.skippedStatusCount());
            meta.put("skippedNoChargeCount", result.skippedNoChargeCount());
            meta.put("notDueCount", result.notDueCount());
            db.change("audit the billing run", (c, audit) -> {
                audit.add(AuditEntry.of("run", "billing_cycle", periodFrom + ".." + periodTo, null, actor, meta));
                return null;
            });
        }
        return result;
    }

    private Terms termsOn(Terms t, LocalDate day) {
        return Terms.of(
                t.subscription(),
                t.plan(),
                subscriptions.grants(t.subscription().tenant()),
                day);
    }

    // ---------------------------------------------------------------------------------------------

    private Set<TenantId> inactiveTenants() {
        Set<TenantId> out = new HashSet<>();
        if (catalog == null) {
            return out;
        }
        for (int offset = 0; ; offset += TenantQuery.MAX_LIMIT) {
            var page = catalog.list(TenantQuery.builder()
                    .status(NOT_BILLED.toArray(TenantStatus[]::new))
                    .offset(offset)
                    .limit(TenantQuery.MAX_LIMIT)
                    .build());
            page.items().stream().map(Tenant::id).forEach(out::add);
            if (offset + page.items().size() >= page.total() || page.items().isEmpty()) {
                return out;
            }
        }
    }

    /** Counters of soft-limited metrics that may be billed as overage: tenant -> metric -> [epochDay, used]. */
    private Map<TenantId, Map<String, List<long[]>>> usage(List<Terms> all, BillingPeriod window) {
        boolean anyOverage = all.stream()
                .anyMatch(t -> t.limits().values().stream()
                        .anyMatch(l -> l.enforcement() == Limit.Enforcement.SOFT
                                && l.overagePrice() != null
                                && !l.unlimited()));
        if (!anyOverage) {
            return Map.of();
        }
        LocalDate since = window.start().minusMonths(37);
        Map<TenantId, Map<String, List<long[]>>> out = new HashMap<>();
        for (UsageStore.PeriodUsage u : usage.periods(since, window.end())) {
            out.computeIfAbsent(u.tenant(), k -> new HashMap<>())
                    .computeIfAbsent(u.metric(), k -> new ArrayList<>())
                    .add(new long[] {u.periodStart().toEpochDay(), u.used()});
        }
        return out;
    }

    private static Set<TenantId> existing(Connection c, List<Invoice> invoices) throws SQLException {
        Set<TenantId> have = new HashSet<>();
        for (int from = 0; from < invoices.size(); from += 1000) {
            List<Invoice> slice = invoices.subList(from, Math.min(invoices.size(), from + 1000));
            StringBuilder sql = new StringBuilder("SELECT tenant_id FROM tenancy.tenancy_invoices WHERE id IN (");
            for (int i = 0; i < slice.size(); i++) {
                sql.append(i == 0 ? "?" : ", ?");
            }
            try (PreparedStatement s = c.prepareStatement(sql.append(')').toString())) {
                for (int i = 0; i < slice.size(); i++) {
                    s.setString(i + 1, slice.get(i).id());
                }
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        have.add(TenantId.of(rs.getString(1)));
                    }
                }
            }
        }
        return have;
    }

    /** Writes the invoices of one batch that do not exist yet; returns them. Retried when a concurrent run collides. */
    private List<Invoice> write(List<Invoice> batch) {
        for (int attempt = 1; ; attempt++) {
            try {
                return Jdbc.inTransaction(db.dataSource, "write a batch of invoices", c -> {
                    Set<TenantId> have = existing(c, batch);
                    List<Invoice> fresh = batch.stream()
                            .filter(i -> !have.contains(i.tenant()))
                            .toList();
                    insertInvoices(c, fresh);
                    insertLines(c, fresh);
                    return fresh;
                });
            } catch (dev.tenancy.StorageException e) {
                if (!Jdbc.isUniqueViolation(e) || attempt == 5) {
                    throw e;
                }
                // another run wrote some of these meanwhile: the retry sees them as existing
            }
        }
    }

    private void insertInvoices(Connection c, List<Invoice> invoices) throws SQLException {
        Instant now = clock.instant();
        multiRowInsert(
                c,
                "INSERT INTO tenancy.tenancy_invoices (id, tenant_id, period_start, period_end, issued_on, due_on,"
                        + " currency, total_minor, status, created_at) VALUES ",
                10,
                invoices,
                (s, i, inv) -> {
                    s.setString(i++, inv.id());
                    s.setString(i++, inv.tenant().value());
                    s.setObject(i++, inv.period().start());
                    s.setObject(i++, inv.period().end());
                    s.setObject(i++, inv.issuedOn());
                    s.setObject(i++, inv.dueOn());
                    s.setString(i++, inv.total().currency().getCurrencyCode());
                    s.setLong(i++, inv.total().minor());
                    s.setString(i++, inv.status().name());
                    s.setObject(i, Jdbc.utc(now));
                });
    }

    private static void insertLines(Connection c, List<Invoice> invoices) throws SQLException {
        record Row(String invoice, int no, InvoiceLine line) {}
        List<Row> rows = new ArrayList<>();
        for (Invoice inv : invoices) {
            for (int n = 0; n < inv.lines().size(); n++) {
                rows.add(new Row(inv.id(), n + 1, inv.lines().get(n)));
            }
        }
        multiRowInsert(
                c,
                "INSERT INTO tenancy.tenancy_invoice_lines (invoice_id, line_no, kind, code, description, quantity,"
                        + " unit_minor, amount_minor) VALUES ",
                8,
                rows,
                (s, i, r) -> {
                    s.setString(i++, r.invoice());
                    s.setInt(i++, r.no());
                    s.setString(i++, r.line().kind().name());
                    s.setString(i++, r.line().code());
                    s.setString(i++, r.line().description());
                    s.setLong(i++, r.line().quantity());
                    s.setLong(i++, r.line().unitPrice().minor());
                    s.setLong(i, r.line().amount().minor());
                });
    }

    @FunctionalInterface
    private interface RowBinder<T> {
        void bind(PreparedStatement s, int firstIndex, T row) throws SQLException;
    }

    /** One INSERT with many VALUES rows per chunk: a round trip per few hundred rows on every driver. */
    private static <T> void multiRowInsert(Connection c, String head, int columns, List<T> rows, RowBinder<T> binder)
            throws SQLException {
        int perStatement = Math.max(1, 2_000 / columns);
        String row = "(" + "?, ".repeat(columns - 1) + "?)";
        for (int from = 0; from < rows.size(); from += perStatement) {
            List<T> slice = rows.subList(from, Math.min(rows.size(), from + perStatement));
            StringBuilder sql = new StringBuilder(head);
            for (int i = 0; i < slice.size(); i++) {
                sql.append(i == 0 ? "" : ", ").append(row);
            }
            try (PreparedStatement s = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < slice.size(); i++) {
                    binder.bind(s, i * columns + 1, slice.get(i));
                }
                s.executeUpdate();
            }
        }
    }

    /** The invoices of {@code tenant}, newest period first. */
    public List<Invoice> invoices(TenantId tenant) {
        return readInvoices(db, tenant);
    }

    static List<Invoice> readInvoices(BillingDatabase db, TenantId tenant) {
        return db.read("read the invoices of '" + tenant + "'", c -> {
            Map<String, List<InvoiceLine>> lines = new HashMap<>();
            try (PreparedStatement s =
                    c.prepareStatement("SELECT l.* FROM tenancy.tenancy_invoice_lines l JOIN tenancy.tenancy_invoices i"
                            + " ON i.id = l.invoice_id WHERE i.tenant_id = ? ORDER BY l.invoice_id, l.line_no")) {
                s.setString(1, tenant.value());
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        lines.computeIfAbsent(rs.getString("invoice_id"), k -> new ArrayList<>())
                                .add(line(rs, null));
                    }
                }
            }
            List<Invoice> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT * FROM tenancy.tenancy_invoices WHERE tenant_id = ? ORDER BY period_start DESC")) {
                s.setString(1, tenant.value());
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        String currency = rs.getString("currency").trim();
                        List<InvoiceLine> ls = lines.getOrDefault(rs.getString("id"), List.of()).stream()
                                .map(l -> relabel(l, currency))
                                .toList();
                        out.add(new Invoice(
                                rs.getString("id"),
                                tenant,
                                new BillingPeriod(
                                        rs.getObject("period_start", LocalDate.class),
                                        rs.getObject("period_end", LocalDate.class)),
                                rs.getObject("issued_on", LocalDate.class),
                                rs.getObject("due_on", LocalDate.class),
                                Money.of(rs.getLong("total_minor"), currency),
                                InvoiceStatus.valueOf(rs.getString("status")),
                                ls));
                    }
                }
            }
            return out;
        });
    }

    private static InvoiceLine line(ResultSet rs, String currency) throws SQLException {
        String cur = currency == null ? "XXX" : currency;
        return new InvoiceLine(
                InvoiceLine.Kind.valueOf(rs.getString("kind")),
                rs.getString("code"),
                rs.getString("description"),
                rs.getLong("quantity"),
                Money.of(rs.getLong("unit_minor"), cur),
                Money.of(rs.getLong("amount_minor"), cur));
    }

    private static InvoiceLine relabel(InvoiceLine l, String currency) {
        return new InvoiceLine(
                l.kind(),
                l.code(),
                l.description(),
                l.quantity(),
                Money.of(l.unitPrice().minor(), currency),
                Money.of(l.amount().minor(), currency));
    }

    /** Builds a {@link SubscriptionCycle}. */
    static final class Builder {
        private final DataSource dataSource;
        private UsageStore usage;
        private AuditLog audit;
        private Subscriptions subscriptions;
        private TenantCatalog catalog;
        private ModuleEntitlements modules = ModuleEntitlements.none();
        private PricingConfig pricing = PricingConfig.defaults();
        private InstantSource clock = InstantSource.system();
        private int batchSize = 1_000;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** Where usage is read for overage (default the JDBC store on this data source). */
        Builder usage(UsageStore usage) {
            this.usage = usage;
            return this;
        }

        /** Required: the subscriptions and overrides to bill. */
        public Builder subscriptions(Subscriptions subscriptions) {
            this.subscriptions = subscriptions;
            return this;
        }

        /** Tenants not active in the catalog (suspended, archived, rejected, pending) are skipped; without a catalog none are. */
        public Builder catalog(TenantCatalog catalog) {
            this.catalog = catalog;
            return this;
        }

        /** Which modules each tenant has on (default none); usually {@link ModuleEntitlements#of}. */
        public Builder modules(ModuleEntitlements modules) {
            this.modules = Objects.requireNonNull(modules, "modules");
            return this;
        }

        /** Module prices, bundles, issue day and due days (default {@link PricingConfig#defaults()}). */
        public Builder pricing(PricingConfig pricing) {
            this.pricing = Objects.requireNonNull(pricing, "pricing");
            return this;
        }

        /** Required: every real run is audited with its counters. */
        public Builder auditLog(AuditLog audit) {
            this.audit = audit;
            return this;
        }

        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Tenants per transaction (default 1,000). */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1 || batchSize > 10_000) {
                throw new IllegalArgumentException("The batch size is 1 to 10,000 tenants, was " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        public SubscriptionCycle build() {
            return new SubscriptionCycle(this);
        }
    }
}
