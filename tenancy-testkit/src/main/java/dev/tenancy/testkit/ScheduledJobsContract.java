package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.audit.AuditEvent;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.AuditQuery;
import dev.tenancy.audit.JdbcAuditLog;
import dev.tenancy.schedule.ScheduledJobs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Jobs run once per scheduled time however many nodes ask, on H2 and PostgreSQL: the lease in the
 * platform database decides, a failed run is run again by the next node, a node that dies holding
 * a job gives it up when its lease ends, and every run is audited with its counters.
 */
public abstract class ScheduledJobsContract {
    protected abstract TestDatabase.Kind kind();

    private TestDatabase database;
    private AuditLog audit;
    private final MutableClock clock = MutableClock.atStartOf2026();

    @BeforeEach
    void setUp() {
        database = TestDatabase.of(kind());
        audit = JdbcAuditLog.builder(database.dataSource()).clock(clock).build();
    }

    @AfterEach
    void tearDown() {
        database.close();
    }

    private ScheduledJobs node(String id) {
        return ScheduledJobs.builder(database.dataSource())
                .auditLog(audit)
                .nodeId(id)
                .clock(clock)
                .leaseTime(Duration.ofMinutes(10))
                .build();
    }

    private List<AuditEvent> events(String action) {
        return audit.query(AuditQuery.builder().action(action).entityType("job").build())
                .items();
    }

    @Test
    void manyNodesAskingForOneScheduledTime_runItOnce() throws Exception {
        List<ScheduledJobs> nodes = List.of(node("a"), node("b"), node("c"), node("d"));
        Instant start = nodes.getFirst().since("trial-conversion");
        Instant slot = start.plusSeconds(60);
        clock.advance(Duration.ofMinutes(2));
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Optional<ScheduledJobs.JobRun>>> asked = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(8)) {
            for (int t = 0; t < 8; t++) {
                ScheduledJobs jobs = nodes.get(t % nodes.size());
                asked.add(threads.submit(() -> {
                    go.await();
                    return jobs.runOnce("trial-conversion", slot, () -> {
                        runs.incrementAndGet();
                        try {
                            Thread.sleep(100); // the others ask while it runs
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return Map.of("converted", 3, "expired", 1);
                    });
                }));
            }
            go.countDown();
            int ran = 0;
            for (Future<Optional<ScheduledJobs.JobRun>> f : asked) {
                ran += f.get().isPresent() ? 1 : 0;
            }
            assertThat(ran).isEqualTo(1);
        }
        assertThat(runs).hasValue(1);
        assertThat(nodes.get(2).runOnce("trial-conversion", slot, () -> Map.of()))
                .as("asked again after it finished")
                .isEmpty();
        assertThat(nodes.get(3).runOnce("trial-conversion", slot.minusSeconds(30), () -> Map.of()))
                .as("an earlier time")
                .isEmpty();
        assertThat(nodes.get(1).since("trial-conversion")).isEqualTo(slot);
        assertThat(events("job.run")).singleElement().satisfies(e -> {
            assertThat(e.entityId()).isEqualTo("trial-conversion");
            assertThat(e.metadata()).containsEntry("slot", slot.toString());
            assertThat(e.metadata().get("counters").toString()).contains("converted=3");
        });

        clock.advance(Duration.ofMinutes(1));
        assertThat(nodes.get(3).runOnce("trial-conversion", slot.plusSeconds(60), () -> Map.of()))
                .as("the next time runs")
                .isPresent();
    }

    @Test
    void aFailedRun_isRunAgainByTheNextNode_andAuditedAsFailed() {
        ScheduledJobs a = node("a");
        ScheduledJobs b = node("b");
        Instant slot = a.since("mrr-snapshot").plusSeconds(1);
        clock.advance(Duration.ofSeconds(5));
        assertThatThrownBy(() -> a.runOnce("mrr-snapshot", slot, () -> {
                    throw new IllegalStateException("database restarting");
                }))
                .hasMessage("database restarting");
        assertThat(b.runOnce("mrr-snapshot", slot, () -> Map.of("tenants", 4))).isPresent();
        assertThat(events("job.failed"))
                .singleElement()
                .satisfies(e -> assertThat(e.metadata()).containsEntry("error", "database restarting"));
        assertThat(events("job.run")).hasSize(1);
    }

    @Test
    void aNodeThatDiesHoldingAJob_givesItUpWhenItsLeaseEnds() throws Exception {
        ScheduledJobs a = node("a");
        ScheduledJobs b = node("b");
        Instant slot = a.since("retention-purge").plusSeconds(1);
        clock.advance(Duration.ofSeconds(5));
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch die = new CountDownLatch(1);
        Thread dying = Thread.ofPlatform().start(() -> {
            try {
                a.runOnce("retention-purge", slot, () -> {
                    holding.countDown();
                    try {
                        die.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new Error("the node died");
                });
            } catch (Error expected) {
                // gone
            }
        });
        holding.await();
        assertThat(b.runOnce("retention-purge", slot, () -> Map.of()))
                .as("held by a")
                .isEmpty();
        clock.advance(Duration.ofMinutes(11)); // a's lease has ended
        assertThat(b.runOnce("retention-purge", slot, () -> Map.of("purged", 0)))
                .isPresent();
        die.countDown();
        dying.join();
    }

    @Test
    void aJobsName_isChecked() {
        assertThatThrownBy(() -> node("a").runOnce("Trial Conversion", Instant.now(), Map::of))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'Trial Conversion'");
    }
}
