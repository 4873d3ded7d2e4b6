package dev.tenancy.billing;

/**
 * Charges invoices: the seam to a payment provider (Stripe, Adyen, a bank's ACH file). An
 * implementation must treat {@code idempotencyKey} as the provider's idempotency key, so a retried
 * charge of the same invoice never charges twice; {@link Payments} derives it from the invoice id.
 * {@link InMemoryPaymentGateway} is the one shipped, for tests and demos.
 */
@FunctionalInterface
public interface PaymentGateway {

    /** Charges {@code invoice}'s total by {@code method}; returns paid, failed or pending (settled later). */
    PaymentResult charge(Invoice invoice, PaymentMethod method, String idempotencyKey);

    /**
     * A charge's outcome.
     *
     * @param status {@link InvoiceStatus#PAID}, {@link InvoiceStatus#PAYMENT_FAILED} or {@link InvoiceStatus#PENDING}
     * @param reference the provider's reference, for support
     * @param message why it failed (a decline reason), or empty
     */
    record PaymentResult(InvoiceStatus status, String reference, String message) {
        public PaymentResult {
            if (status == InvoiceStatus.OPEN) {
                throw new IllegalArgumentException("A charge ends paid, payment_failed or pending, not open");
            }
            message = message == null ? "" : message;
        }

        public static PaymentResult paid(String reference) {
            return new PaymentResult(InvoiceStatus.PAID, reference, "");
        }

        public static PaymentResult failed(String reference, String message) {
            return new PaymentResult(InvoiceStatus.PAYMENT_FAILED, reference, message);
        }

        public static PaymentResult pending(String reference) {
            return new PaymentResult(InvoiceStatus.PENDING, reference, "");
        }
    }
}
