package dev.tenancy.billing;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditEntry;
import dev.tenancy.audit.AuditLog;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-tenant API rate limits for short windows (per second, per minute), with Bucket4j's local
 * token buckets, one per tenant, kept while the tenant is active (Caffeine, 10 minutes after last
 * use). Quotas per billing period are {@link UsageMeter}'s business; this guards against bursts.
 *
 * <pre>{@code
 * ApiThrottle throttle = billing.throttle().limits(tenant -> new RateLimit(20, 600)).build();
 * ApiThrottle.Decision d = throttle.tryAcquire(tenant);
 * if (!d.allowed()) { response.setHeader("Retry-After", d.retryAfter().toSeconds() + 1); ... 429 ... }
 * }</pre>
 *
 * <p>Rejections are audited for the admin console's throttle awareness (action {@code throttle},
 * entity type {@code api_rate_limit}, the tenant's id), aggregated so a storm does not write a row
 * per rejected request: at most one event per tenant per {@link Builder#auditWindow} (default 1
 * minute), whose metadata carries {@code count}, the largest {@code retryAfterMs}, and the window's
 * first and last rejection. {@link ThrottleAwareness#of} summarises them.
 */
public final class ApiThrottle implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiThrottle.class);
    private static final Actor ACTOR = Actor.system("api-throttle");

    private final AuditLog audit;
    private final Function<TenantId, RateLimit> limits;
    private final InstantSource clock;
    private final TimeMeter time;
    private final Cache<TenantId, Bucket> buckets;
    private final Map<TenantId, Window> windows = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;

    /** Rejections of one tenant not yet audited. */
    private static final class Window {
        final AtomicLong count = new AtomicLong();
        final AtomicLong maxRetryNanos = new AtomicLong();
        final Instant first;
        volatile Instant last;

        Window(Instant first) {
            this.first = first;
            this.last = first;
        }
    }

    /**
     * Whether a request may go ahead.
     *
     * @param allowed whether it may
     * @param remaining requests left in the tightest window
     * @param retryAfter how long until a request would be allowed again ({@link Duration#ZERO} when allowed)
     */
    public record Decision(boolean allowed, long remaining, Duration retryAfter) {}

    private ApiThrottle(Builder b) {
        this.audit = Objects.requireNonNull(b.audit, "auditLog: throttles are audited; pass one");
        this.limits = b.limits;
        this.clock = b.clock;
        this.time = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                Instant now = clock.instant();
                return now.getEpochSecond() * 1_000_000_000L + now.getNano();
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
        this.buckets =
                Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(10)).build();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tenancy-throttle-audit");
            t.setDaemon(true);
            return t;
        });
        long window = b.auditWindow.toMillis();
        scheduler.scheduleWithFixedDelay(this::flush, window, window, TimeUnit.MILLISECONDS);
    }

    static Builder builder() {
        return new Builder();
    }

    /** Takes one request from {@code tenant}'s buckets, or says how long to wait. */
    public Decision tryAcquire(TenantId tenant) {
        Bucket bucket = buckets.get(tenant, this::bucket);
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) {
            return new Decision(true, probe.getRemainingTokens(), Duration.ZERO);
        }
        long wait = probe.getNanosToWaitForRefill();
        Window w = windows.computeIfAbsent(tenant, t -> new Window(clock.instant()));
        w.count.incrementAndGet();
        w.maxRetryNanos.accumulateAndGet(wait, Math::max);
        w.last = clock.instant();
        return new Decision(false, 0, Duration.ofNanos(wait));
    }

    private Bucket bucket(TenantId tenant) {
        RateLimit limit = Objects.requireNonNull(limits.apply(tenant), "the rate limit of " + tenant);
        return Bucket.builder()
                .addLimit(l -> l.capacity(limit.perSecond()).refillGreedy(limit.perSecond(), Duration.ofSeconds(1)))
                .addLimit(l -> l.capacity(limit.perMinute()).refillGreedy(limit.perMinute(), Duration.ofMinutes(1)))
                .withCustomTimePrecision(time)
                .build();
    }

    /** Forgets {@code tenant}'s buckets, so a changed rate limit applies to its next request. */
    public void reset(TenantId tenant) {
        buckets.invalidate(tenant);
    }

    /** Forgets every tenant's buckets, so changed rate limits apply to each tenant's next request. */
    public void resetAll() {
        buckets.invalidateAll();
    }

    /** Writes one audit event per tenant with rejections since the last flush (called every audit window). */
    public void flush() {
        for (TenantId tenant : windows.keySet()) {
            Window w = windows.remove(tenant);
            if (w == null || w.count.get() == 0) {
                continue;
            }
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("count", w.count.get());
            meta.put("retryAfterMs", TimeUnit.NANOSECONDS.toMillis(w.maxRetryNanos.get()) + 1);
            meta.put("firstAt", w.first.toString());
            meta.put("lastAt", w.last.toString());
            try {
                audit.append(AuditEntry.of("throttle", "api_rate_limit", tenant.value(), tenant, ACTOR, meta));
            } catch (RuntimeException e) {
                windows.merge(tenant, w, (fresh, old) -> {
                    fresh.count.addAndGet(old.count.get());
                    fresh.maxRetryNanos.accumulateAndGet(old.maxRetryNanos.get(), Math::max);
                    return fresh;
                });
                LOG.warn("Could not audit {} throttled requests of '{}'; will retry", w.count.get(), tenant, e);
            }
        }
    }

    /** Audits what is pending and stops. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        flush();
    }

    /** Builds an {@link ApiThrottle}. */
    public static final class Builder {
        private AuditLog audit;
        private Function<TenantId, RateLimit> limits = t -> new RateLimit(10, 300);
        private InstantSource clock = InstantSource.system();
        private Duration auditWindow = Duration.ofMinutes(1);

        private Builder() {}

        /** Where throttles are recorded (set by {@link Billing#throttle()}). */
        Builder auditLog(AuditLog audit) {
            this.audit = audit;
            return this;
        }

        /** Each tenant's limit (default 10/s and 300/min), read when its bucket is created. */
        public Builder limits(Function<TenantId, RateLimit> limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** At most one audit event per tenant per window (default 1 minute). */
        public Builder auditWindow(Duration auditWindow) {
            if (auditWindow == null || auditWindow.isNegative() || auditWindow.isZero()) {
                throw new IllegalArgumentException("The audit window must be positive, was " + auditWindow);
            }
            this.auditWindow = auditWindow;
            return this;
        }

        public ApiThrottle build() {
            return new ApiThrottle(this);
        }
    }
}
