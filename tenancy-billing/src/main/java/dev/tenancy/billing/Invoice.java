package dev.tenancy.billing;

import dev.tenancy.TenantId;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A platform invoice: one per tenant and billing period, enforced by the database.
 *
 * @param id derived from the tenant and the period start, so every run computes the same id
 * @param tenant the tenant billed
 * @param period the billing period
 * @param issuedOn the issue date (the pricing configuration's invoice issue day, not before the period)
 * @param dueOn the issue date plus the payment due days
 * @param total the sum of the lines
 * @param status collection status
 * @param lines what is charged
 */
public record Invoice(
        String id,
        TenantId tenant,
        BillingPeriod period,
        LocalDate issuedOn,
        LocalDate dueOn,
        Money total,
        InvoiceStatus status,
        List<InvoiceLine> lines) {
    public Invoice {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(period, "period");
        lines = List.copyOf(lines);
    }

    /** The id of the invoice of {@code tenant} for the period starting on {@code periodStart}. */
    public static String idOf(TenantId tenant, LocalDate periodStart) {
        return UUID.nameUUIDFromBytes(
                        (tenant.value() + "|" + periodStart).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .toString();
    }
}
