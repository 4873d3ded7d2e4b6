package dev.tenancy.billing;

/** How a tenant pays: by card (charged automatically) or by invoice, ACH or wire transfer. */
public enum PaymentMethod {
    CARD,
    INVOICE,
    ACH,
    WIRE
}
