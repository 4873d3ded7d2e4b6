package dev.tenancy.billing;

import java.util.Objects;

/**
 * One line of an invoice.
 *
 * @param kind plan, contract price, module, bundle, discount or overage
 * @param code the plan, module, bundle or metric key
 * @param description what the customer reads
 * @param quantity units (months for recurring lines, units over the limit for overage)
 * @param unitPrice price per unit
 * @param amount quantity × unit price (negative for a discount)
 */
public record InvoiceLine(Kind kind, String code, String description, long quantity, Money unitPrice, Money amount) {
    /** What a line charges for. */
    public enum Kind {
        PLAN,
        CONTRACT,
        MODULE,
        BUNDLE,
        DISCOUNT,
        OVERAGE
    }

    public InvoiceLine {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(unitPrice, "unitPrice");
        Objects.requireNonNull(amount, "amount");
    }

    static InvoiceLine of(Kind kind, String code, String description, long quantity, Money unitPrice) {
        return new InvoiceLine(kind, code, description, quantity, unitPrice, unitPrice.times(quantity));
    }
}
