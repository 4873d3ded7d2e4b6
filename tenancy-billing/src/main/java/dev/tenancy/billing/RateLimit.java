package dev.tenancy.billing;

/**
 * A tenant's API rate limit for short windows: requests per second and per minute (token buckets
 * refilled greedily, so a burst up to the per-second figure is allowed).
 *
 * @param perSecond requests per second, at least 1
 * @param perMinute requests per minute, at least {@code perSecond}
 */
public record RateLimit(long perSecond, long perMinute) {
    public RateLimit {
        if (perSecond < 1 || perMinute < perSecond) {
            throw new IllegalArgumentException("A rate limit allows at least 1 request per second and at least as many"
                    + " per minute as per second, was " + perSecond + "/s and " + perMinute + "/min");
        }
    }
}
