package dev.tenancy.billing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditEvent;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.AuditQuery;
import dev.tenancy.audit.JdbcAuditLog;
import dev.tenancy.testkit.MutableClock;
import dev.tenancy.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApiThrottleTest {
    static final TenantId ACME = TenantId.of("acme");
    static final TenantId GLOBEX = TenantId.of("globex");

    final MutableClock clock = new MutableClock(Instant.parse("2026-05-01T09:00:00Z"));
    TestDatabase database;
    AuditLog audit;
    ApiThrottle throttle;

    @BeforeEach
    void setUp() {
        database = TestDatabase.h2();
        audit = JdbcAuditLog.builder(database.dataSource()).clock(clock).build();
        throttle = ApiThrottle.builder()
                .auditLog(audit)
                .clock(clock)
                .limits(t -> t.equals(ACME) ? new RateLimit(5, 100) : new RateLimit(50, 1_000))
                .auditWindow(Duration.ofHours(1)) // flushed by hand here
                .build();
    }

    @AfterEach
    void tearDown() {
        throttle.close();
        database.close();
    }

    @Test
    void a_burst_over_the_per_second_limit_is_refused_with_the_wait() {
        for (int i = 0; i < 5; i++) {
            assertThat(throttle.tryAcquire(ACME).allowed()).isTrue();
        }
        ApiThrottle.Decision refused = throttle.tryAcquire(ACME);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(200)); // one token every 200 ms
        assertThat(throttle.tryAcquire(GLOBEX).allowed()).isTrue(); // tenants never share a bucket

        clock.advance(Duration.ofMillis(200));
        assertThat(throttle.tryAcquire(ACME).allowed()).isTrue();
    }

    @Test
    void the_per_minute_limit_holds_across_seconds() {
        int[] allowed = new int[2];
        for (int second = 0; second < 120; second++) {
            for (int i = 0; i < 5; i++) {
                allowed[second / 60] += throttle.tryAcquire(ACME).allowed() ? 1 : 0;
            }
            clock.advance(Duration.ofSeconds(1));
        }
        // the first minute: the 100 in the bucket plus what refills meanwhile; then 100 a minute
        assertThat(allowed[0]).isBetween(195, 200);
        assertThat(allowed[1]).isBetween(98, 102);
    }

    @Test
    void a_storm_is_one_audit_event_per_tenant_and_window_and_feeds_throttle_awareness() {
        for (int i = 0; i < 10_000; i++) {
            throttle.tryAcquire(ACME);
        }
        throttle.flush();
        throttle.flush(); // nothing new: nothing written

        List<AuditEvent> events =
                audit.query(AuditQuery.builder().action("throttle").build()).items();
        assertThat(events).hasSize(1);
        AuditEvent e = events.getFirst();
        assertThat(e.entityType()).isEqualTo("api_rate_limit");
        assertThat(e.tenantId()).isEqualTo(ACME);
        assertThat(e.metadata()).containsEntry("count", 9_995).containsEntry("retryAfterMs", 201);

        assertThat(ThrottleAwareness.of(audit, clock.instant()))
                .isEqualTo(new ThrottleAwareness(9_995, 9_995, Duration.ofMillis(201)));
        clock.advance(Duration.ofHours(2));
        assertThat(ThrottleAwareness.of(audit, clock.instant()))
                .isEqualTo(new ThrottleAwareness(0, 9_995, Duration.ofMillis(201)));
        clock.advance(Duration.ofDays(1));
        assertThat(ThrottleAwareness.of(audit, clock.instant())).isEqualTo(new ThrottleAwareness(0, 0, Duration.ZERO));
    }

    @Test
    void an_invalid_rate_limit_names_the_values() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RateLimit(10, 5))
                .hasMessageContaining("was 10/s and 5/min");
    }
}
