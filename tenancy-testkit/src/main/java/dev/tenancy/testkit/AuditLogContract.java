package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenancy.Actor;
import dev.tenancy.Page;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditEntry;
import dev.tenancy.audit.AuditEvent;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.AuditQuery;
import dev.tenancy.audit.AuditVerification;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link AuditLog}: extend it and return the implementation under test from {@link
 * #newAuditLog}; every test gets a fresh, empty log.
 */
public abstract class AuditLogContract {

    /** A fresh, empty audit log timed by {@code clock}. */
    protected abstract AuditLog newAuditLog(MutableClock clock);

    protected static final Actor ADMIN = Actor.user("u-1", "system_admin");
    protected static final Actor SUPPORT = Actor.user("u-2", "support");
    protected static final TenantId ACME = TenantId.of("acme");
    protected static final TenantId GLOBEX = TenantId.of("globex");

    protected MutableClock clock;
    protected AuditLog log;

    @BeforeEach
    void setUpLog() {
        clock = MutableClock.atStartOf2026();
        log = newAuditLog(clock);
    }

    protected AuditEvent append(String action, TenantId tenant, Actor actor, Map<String, ?> metadata) {
        return log.append(
                AuditEntry.of(action, "tenant", tenant == null ? "platform" : tenant.value(), tenant, actor, metadata));
    }

    @Nested
    @DisplayName("appending")
    class Appending {
        @Test
        @DisplayName("events are numbered 1, 2, 3 ... and each is chained to the one before")
        void append_numbersAndChains() {
            AuditEvent first = append("create", ACME, ADMIN, Map.of());
            AuditEvent second = append("update", ACME, ADMIN, Map.of());
            AuditEvent third = append("transition", GLOBEX, SUPPORT, Map.of());

            assertThat(List.of(first.sequence(), second.sequence(), third.sequence()))
                    .containsExactly(1L, 2L, 3L);
            assertThat(first.previousHash()).isEqualTo(AuditEvent.GENESIS_HASH);
            assertThat(second.previousHash()).isEqualTo(first.hash());
            assertThat(third.previousHash()).isEqualTo(second.hash());
            assertThat(first.hash()).hasSize(64).isNotEqualTo(second.hash());
        }

        @Test
        @DisplayName("an event keeps every field: action, entity, tenant, actor, role, time (ms) and metadata")
        void append_keepsEveryField() {
            clock.set(Instant.parse("2026-03-04T05:06:07.123456789Z"));
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("reason", "unpaid invoice");
            metadata.put("attempts", 3);
            metadata.put("ratio", 0.25);
            metadata.put("notify", true);
            metadata.put("note", null);
            metadata.put("nested", Map.of("invoice", "inv-7", "lines", List.of(1, 2)));

            AuditEvent appended = log.append(AuditEntry.of("suspend", "tenant", "acme", ACME, ADMIN, metadata));
            AuditEvent stored = log.query(AuditQuery.all()).items().getFirst();

            assertThat(stored).isEqualTo(appended);
            assertThat(stored.action()).isEqualTo("suspend");
            assertThat(stored.entityType()).isEqualTo("tenant");
            assertThat(stored.entityId()).isEqualTo("acme");
            assertThat(stored.tenantId()).isEqualTo(ACME);
            assertThat(stored.actorId()).isEqualTo("u-1");
            assertThat(stored.actorRole()).isEqualTo("system_admin");
            assertThat(stored.createdAt()).isEqualTo(Instant.parse("2026-03-04T05:06:07.123Z"));
            assertThat(stored.metadata())
                    .containsEntry("reason", "unpaid invoice")
                    .containsEntry("attempts", 3)
                    .containsEntry("ratio", 0.25)
                    .containsEntry("notify", true)
                    .containsEntry("note", null)
                    .containsEntry("nested", Map.of("invoice", "inv-7", "lines", List.of(1, 2)));
        }

        @Test
        @DisplayName("platform-wide events carry no tenant")
        void append_platformEvent_hasNoTenant() {
            AuditEvent e = append("rotate", null, Actor.system("key-rotation"), Map.of("key", "k2"));
            assertThat(e.tenantId()).isNull();
            assertThat(log.query(AuditQuery.all()).items().getFirst().actorRole())
                    .isEqualTo("system");
        }

        @Test
        @DisplayName("concurrent appends keep one gap-free chain")
        void append_concurrently_keepsTheChain() throws Exception {
            int threads = 8;
            int each = 25;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < each; i++) {
                            append("update", ACME, ADMIN, Map.of("thread", thread, "i", i));
                        }
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            Page<AuditEvent> all = log.query(AuditQuery.builder().limit(1000).build());
            assertThat(all.total()).isEqualTo(threads * each);
            long[] sequences = all.items().stream()
                    .mapToLong(AuditEvent::sequence)
                    .sorted()
                    .toArray();
            assertThat(sequences)
                    .containsExactly(java.util.stream.LongStream.rangeClosed(1, threads * each)
                            .toArray());
            assertThat(log.verify().intact()).isTrue();
        }
    }

    @Nested
    @DisplayName("querying")
    class Querying {
        @BeforeEach
        void appendSome() {
            append("create", ACME, ADMIN, Map.of("displayName", "Acme Corp"));
            clock.advance(Duration.ofHours(1));
            append(
                    "transition",
                    ACME,
                    SUPPORT,
                    Map.of("from", "active", "to", "suspended", "reason", "Unpaid Invoice"));
            clock.advance(Duration.ofHours(1));
            append("create", GLOBEX, ADMIN, Map.of("displayName", "Globex 50%_off"));
            clock.advance(Duration.ofHours(1));
            append("transition", GLOBEX, ADMIN, Map.of("from", "pending_approval", "to", "active", "reason", "ok"));
        }

        private List<Long> sequences(AuditQuery q) {
            return log.query(q).items().stream().map(AuditEvent::sequence).toList();
        }

        @Test
        @DisplayName("newest first, with the total count")
        void query_all_newestFirst() {
            Page<AuditEvent> page = log.query(AuditQuery.builder().limit(3).build());
            assertThat(page.items()).extracting(AuditEvent::sequence).containsExactly(4L, 3L, 2L);
            assertThat(page.total()).isEqualTo(4);
            assertThat(sequences(AuditQuery.builder().limit(3).offset(3).build()))
                    .containsExactly(1L);
        }

        @Test
        @DisplayName("filters by action, entity type, tenant and actor role, combined")
        void query_filters() {
            assertThat(sequences(AuditQuery.builder().action("transition").build()))
                    .containsExactly(4L, 2L);
            assertThat(sequences(AuditQuery.builder().tenant(ACME).build())).containsExactly(2L, 1L);
            assertThat(sequences(AuditQuery.builder().actorRole("support").build()))
                    .containsExactly(2L);
            assertThat(sequences(AuditQuery.builder()
                            .entityType("tenant")
                            .tenant(GLOBEX)
                            .action("create")
                            .build()))
                    .containsExactly(3L);
            assertThat(sequences(AuditQuery.builder().entityType("invoice").build()))
                    .isEmpty();
        }

        @Test
        @DisplayName("filters by a half-open date range")
        void query_dateRange() {
            Instant start = Instant.parse("2026-01-01T00:00:00Z");
            assertThat(sequences(AuditQuery.builder()
                            .between(start.plus(Duration.ofHours(1)), start.plus(Duration.ofHours(3)))
                            .build()))
                    .containsExactly(3L, 2L);
            assertThat(sequences(AuditQuery.builder()
                            .between(start.plus(Duration.ofHours(3)), null)
                            .build()))
                    .containsExactly(4L);
        }

        @Test
        @DisplayName("free text searches the metadata case-insensitively, wildcards literal")
        void query_text() {
            assertThat(sequences(AuditQuery.builder().text("unpaid invoice").build()))
                    .containsExactly(2L);
            assertThat(sequences(AuditQuery.builder().text("50%_OFF").build())).containsExactly(3L);
            assertThat(sequences(AuditQuery.builder().text("%").build())).containsExactly(3L);
            assertThat(sequences(AuditQuery.builder().text("no such words").build()))
                    .isEmpty();
        }
    }

    @Nested
    @DisplayName("verification")
    class Verification {
        @Test
        @DisplayName("an empty log verifies")
        void verify_empty_isIntact() {
            AuditVerification v = log.verify();
            assertThat(v.intact()).isTrue();
            assertThat(v.eventsChecked()).isZero();
        }

        @Test
        @DisplayName("an untouched log verifies, every event checked")
        void verify_untouched_isIntact() {
            for (int i = 0; i < 30; i++) {
                append("update", i % 2 == 0 ? ACME : GLOBEX, ADMIN, Map.of("i", i, "list", Arrays.asList(i, null)));
                clock.advance(Duration.ofMillis(7));
            }
            AuditVerification v = log.verify();
            assertThat(v.intact()).as(v.problem()).isTrue();
            assertThat(v.eventsChecked()).isEqualTo(30);
            assertThat(v.firstBrokenSequence()).isEmpty();
        }
    }
}
