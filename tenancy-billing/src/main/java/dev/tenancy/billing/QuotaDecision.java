package dev.tenancy.billing;

import java.time.Instant;

/**
 * The answer to "may this tenant use {@code quantity} more of this metric?". Never thrown; {@link
 * UsageMeter#enforce} turns a denial into a {@link QuotaExceededException} with the same fields.
 *
 * @param allowed whether the usage is (or was) allowed
 * @param metric the metric key
 * @param limit the effective limit ({@link Long#MAX_VALUE} when unlimited)
 * @param used usage counted in the period, as this node knows it
 * @param remaining what is left under the limit, never negative
 * @param retryAfter when the period ends and the count starts again, or {@code null} for a metric
 *     that never resets (free some capacity instead)
 * @param overage whether the usage goes past a soft limit (allowed, billed as overage)
 */
public record QuotaDecision(
        boolean allowed, String metric, long limit, long used, long remaining, Instant retryAfter, boolean overage) {
    public QuotaDecision {
        if (remaining < 0) {
            throw new IllegalArgumentException("remaining is never negative, was " + remaining);
        }
    }

    /**
     * Whether usage is already past the limit: after a downgrade lowered a hard limit below what
     * was used (nothing more is allowed until usage drops or the period ends), or past a soft one.
     */
    public boolean exceeded() {
        return limit != Long.MAX_VALUE && used > limit;
    }
}
