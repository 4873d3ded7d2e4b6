package dev.tenancy.billing;

/** Where an invoice is in collection. */
public enum InvoiceStatus {
    /** Issued, not yet charged or paid. */
    OPEN,
    /** A charge is in flight (for example an ACH debit). */
    PENDING,
    /** Paid. */
    PAID,
    /** The charge failed; the subscription moved to past due. */
    PAYMENT_FAILED
}
