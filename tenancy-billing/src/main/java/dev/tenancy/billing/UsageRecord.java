package dev.tenancy.billing;

/**
 * The outcome of {@link UsageMeter#record}: whether this call counted the usage, found it already
 * counted under the same idempotency key, or was refused by a hard limit.
 *
 * @param outcome counted, duplicate or refused
 * @param decision the quota decision (for a duplicate, the state now)
 */
public record UsageRecord(Outcome outcome, QuotaDecision decision) {
    /** What happened to the usage. */
    public enum Outcome {
        /** Counted now, exactly once. */
        COUNTED,
        /** Already counted under this idempotency key: not counted again. */
        DUPLICATE,
        /** Refused by a hard limit: nothing recorded, the key is free to retry. */
        REFUSED
    }
}
