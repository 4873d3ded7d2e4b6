package dev.tenancy.billing;

import dev.tenancy.Page;
import dev.tenancy.audit.AuditEvent;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.AuditQuery;
import java.time.Duration;
import java.time.Instant;

/**
 * The admin console's throttle awareness, from the audit log's {@code throttle} / {@code
 * api_rate_limit} events written by {@link ApiThrottle}: throttled requests in the last hour and
 * the last 24 hours, and the largest retry-after observed in the last 24 hours.
 *
 * @param lastHour rejected requests in the hour before {@code now}
 * @param lastDay rejected requests in the 24 hours before {@code now}
 * @param maxRetryAfter the largest retry-after in the last 24 hours
 */
public record ThrottleAwareness(long lastHour, long lastDay, Duration maxRetryAfter) {

    /** Reads the summary at {@code now}. */
    public static ThrottleAwareness of(AuditLog audit, Instant now) {
        Instant hourAgo = now.minus(Duration.ofHours(1));
        long hour = 0;
        long day = 0;
        long maxMs = 0;
        for (int offset = 0; ; offset += AuditQuery.MAX_LIMIT) {
            Page<AuditEvent> page = audit.query(AuditQuery.builder()
                    .action("throttle")
                    .entityType("api_rate_limit")
                    .between(now.minus(Duration.ofDays(1)), now.plusMillis(1)) // the end is exclusive; now included
                    .offset(offset)
                    .limit(AuditQuery.MAX_LIMIT)
                    .build());
            for (AuditEvent e : page.items()) {
                long count = ((Number) e.metadata().getOrDefault("count", 1)).longValue();
                day += count;
                if (!e.createdAt().isBefore(hourAgo)) {
                    hour += count;
                }
                maxMs = Math.max(maxMs, ((Number) e.metadata().getOrDefault("retryAfterMs", 0)).longValue());
            }
            if (page.items().isEmpty() || offset + page.items().size() >= page.total()) {
                return new ThrottleAwareness(hour, day, Duration.ofMillis(maxMs));
            }
        }
    }
}
