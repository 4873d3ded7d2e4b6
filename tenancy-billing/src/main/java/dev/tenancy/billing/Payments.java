package dev.tenancy.billing;

import dev.tenancy.Actor;
import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditEntry;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Collects invoices through a {@link PaymentGateway}. {@link #autoCharge} charges every open
 * invoice of tenants with automatic charges on (card), with the idempotency key {@code "invoice-" +
 * id}; {@link #apply} is the one transition function every outcome goes through, synchronous or
 * reported later by the provider (a webhook): it sets the invoice's status and moves the
 * subscription, a failure to past due, the last open failure paid back to active. Every outcome is
 * audited. With a tenant catalog, charges pause while a tenant is not active (suspended, archived:
 * the admin manual's "Stripe charges pause"); its open invoices are charged once it is active again.
 */
public final class Payments {
    private final BillingDatabase db;
    private final Subscriptions subscriptions;
    private final PaymentGateway gateway;
    private final TenantCatalog catalog;

    private Payments(Builder b) {
        this.db = new BillingDatabase(b.dataSource, b.audit);
        this.subscriptions = Objects.requireNonNull(b.subscriptions, "subscriptions");
        this.gateway = Objects.requireNonNull(b.gateway, "gateway");
        this.catalog = b.catalog;
    }

    static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /** The idempotency key of every charge of {@code invoiceId}. */
    public static String idempotencyKey(String invoiceId) {
        return "invoice-" + invoiceId;
    }

    /**
     * What {@link #autoCharge} did.
     *
     * @param paid invoices paid
     * @param failed invoices whose charge failed
     * @param pending invoices whose charge the provider will report later
     * @param skipped invoices not charged automatically (no automatic charges, not by card, or left open by the provider)
     * @param paused invoices of tenants that are not active (suspended, archived), charged once they are
     */
    public record ChargeRun(int paid, int failed, int pending, int skipped, int paused) {}

    /**
     * Charges every open invoice whose tenant pays by card with automatic charges on; invoices of
     * tenants paying by invoice, ACH or wire stay open for manual collection.
     */
    public ChargeRun autoCharge(Actor actor) {
        Objects.requireNonNull(actor, "actor");
        List<String[]> open = db.read("read open invoices", c -> {
            List<String[]> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT id, tenant_id FROM tenancy.tenancy_invoices WHERE status = 'OPEN' ORDER BY id")) {
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(new String[] {rs.getString(1), rs.getString(2)});
                    }
                }
            }
            return out;
        });
        int paid = 0;
        int failed = 0;
        int pending = 0;
        int skipped = 0;
        int paused = 0;
        for (String[] row : open) {
            TenantId tenant = TenantId.of(row[1]);
            if (catalog != null && !catalog.find(tenant).map(Tenant::isActive).orElse(false)) {
                paused++;
                continue;
            }
            Terms terms = subscriptions.terms(tenant).orElse(null);
            if (terms == null || !terms.subscription().autoCharge() || terms.paymentMethod() != PaymentMethod.CARD) {
                skipped++;
                continue;
            }
            Invoice invoice = invoice(tenant, row[0]);
            PaymentGateway.PaymentResult r = gateway.charge(invoice, PaymentMethod.CARD, idempotencyKey(invoice.id()));
            apply(invoice.id(), r, actor);
            switch (r.status()) {
                case PAID -> paid++;
                case PAYMENT_FAILED -> failed++;
                case PENDING -> pending++;
                case OPEN -> skipped++;
            }
        }
        return new ChargeRun(paid, failed, pending, skipped, paused);
    }

    /**
     * Applies a payment outcome to an invoice and its subscription: {@link InvoiceStatus#PAYMENT_FAILED}
     * moves an active subscription to past due; {@link InvoiceStatus#PAID} moves a past-due one back
     * to active once no failed invoice is left. Applying the same outcome twice changes nothing.
     */
    public void apply(String invoiceId, PaymentGateway.PaymentResult result, Actor actor) {
        Objects.requireNonNull(result, "result");
        TenantId tenant = db.change("apply a payment to invoice " + invoiceId, (c, audit) -> {
            String owner;
            String before;
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT tenant_id, status FROM tenancy.tenancy_invoices WHERE id = ? FOR UPDATE")) {
                s.setString(1, invoiceId);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalArgumentException("Invoice '" + invoiceId + "' does not exist");
                    }
                    owner = rs.getString(1);
                    before = rs.getString(2);
                }
            }
            if (before.equals(result.status().name()) || before.equals("PAID")) {
                return null; // already applied, or paid (a late failure report never unpays)
            }
            try (PreparedStatement s =
                    c.prepareStatement("UPDATE tenancy.tenancy_invoices SET status = ? WHERE id = ?")) {
                s.setString(1, result.status().name());
                s.setString(2, invoiceId);
                s.executeUpdate();
            }
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("from", before);
            meta.put("to", result.status().name());
            meta.put("reference", result.reference());
            meta.put("message", result.message());
            audit.add(AuditEntry.of("payment", "invoice", invoiceId, TenantId.of(owner), actor, meta));
            return TenantId.of(owner);
        });
        if (tenant == null) {
            return;
        }
        Subscription s = subscriptions.subscription(tenant).orElse(null);
        if (s == null) {
            return;
        }
        if (result.status() == InvoiceStatus.PAYMENT_FAILED && s.status() == SubscriptionStatus.ACTIVE) {
            subscriptions.transition(
                    tenant,
                    SubscriptionStatus.PAST_DUE,
                    actor,
                    "Payment of invoice " + invoiceId + " failed: " + result.message());
        } else if (result.status() == InvoiceStatus.PAID
                && s.status() == SubscriptionStatus.PAST_DUE
                && failedInvoices(tenant) == 0) {
            subscriptions.transition(tenant, SubscriptionStatus.ACTIVE, actor, "Invoice " + invoiceId + " paid");
        }
    }

    private int failedInvoices(TenantId tenant) {
        return db.read("count failed invoices", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT COUNT(*) FROM tenancy.tenancy_invoices WHERE tenant_id = ? AND status = 'PAYMENT_FAILED'")) {
                s.setString(1, tenant.value());
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    private Invoice invoice(TenantId tenant, String id) {
        return SubscriptionCycle.readInvoices(db, tenant).stream()
                .filter(i -> i.id().equals(id))
                .findFirst()
                .orElseThrow();
    }

    /** Builds {@link Payments}. */
    static final class Builder {
        private final DataSource dataSource;
        private AuditLog audit;
        private Subscriptions subscriptions;
        private PaymentGateway gateway;
        private TenantCatalog catalog;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        public Builder subscriptions(Subscriptions subscriptions) {
            this.subscriptions = subscriptions;
            return this;
        }

        public Builder gateway(PaymentGateway gateway) {
            this.gateway = gateway;
            return this;
        }

        public Builder auditLog(AuditLog audit) {
            this.audit = audit;
            return this;
        }

        /** Where tenants' statuses are read: charges pause while a tenant is not active; none without. */
        public Builder catalog(TenantCatalog catalog) {
            this.catalog = catalog;
            return this;
        }

        public Payments build() {
            return new Payments(this);
        }
    }
}
