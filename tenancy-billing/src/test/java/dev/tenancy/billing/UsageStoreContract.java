package dev.tenancy.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.TenantId;
import dev.tenancy.billing.UsageRecord.Outcome;
import dev.tenancy.billing.UsageStore.Counter;
import dev.tenancy.billing.UsageStore.CounterKey;
import dev.tenancy.billing.UsageStore.PeriodUsage;
import dev.tenancy.billing.UsageStore.Recorded;
import dev.tenancy.billing.UsageStore.WrittenOff;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link UsageStore} promises, run over the in-memory, H2 and PostgreSQL stores: usage
 * counts once per idempotency key, a hard limit is never passed by records and leases together,
 * leases move to usage, are returned, renewed or written off, and history reads back.
 */
abstract class UsageStoreContract {
    static final TenantId ACME = TenantId.of("acme");
    static final TenantId GLOBEX = TenantId.of("globex");
    static final LocalDate MAY = LocalDate.of(2026, 5, 1);
    static final LocalDate JUNE = LocalDate.of(2026, 6, 1);
    static final Instant NOW = Instant.parse("2026-05-10T12:00:00Z");
    static final long NO_LIMIT = Long.MAX_VALUE;

    static final CounterKey CALLS = new CounterKey(ACME, "api_calls", MAY);
    static final CounterKey USERS = new CounterKey(ACME, "users", UsageMeter.LIFETIME);

    UsageStore store;

    /** A fresh, empty store. */
    protected abstract UsageStore create();

    protected void dispose() {}

    /** A change by {@code node} with a new id, keeping its lease until {@code expiresAt}. */
    static UsageStore.NodeChange change(String node, Instant expiresAt) {
        return UsageStore.NodeChange.of(node, expiresAt);
    }

    /** A change by {@code node} with a new id, keeping its lease for five minutes. */
    static UsageStore.NodeChange change(String node) {
        return change(node, NOW.plusSeconds(300));
    }

    @BeforeEach
    void setUp() {
        store = create();
    }

    @AfterEach
    void tearDown() {
        dispose();
    }

    @Test
    void aCounterNothingWasCountedOn_isZero_andOpeningItTwiceIsHarmless() {
        assertThat(store.counter(CALLS)).isEqualTo(Counter.ZERO);
        store.open(CALLS);
        store.open(CALLS);
        assertThat(store.counter(CALLS)).isEqualTo(Counter.ZERO);
    }

    @Test
    void aRecordCountsOncePerIdempotencyKey() {
        Recorded first = store.record(CALLS, 5, "req-1", NO_LIMIT, NOW);
        Recorded retry = store.record(CALLS, 5, "req-1", NO_LIMIT, NOW);
        store.record(CALLS, 2, "req-2", NO_LIMIT, NOW);

        assertThat(first.outcome()).isEqualTo(Outcome.COUNTED);
        assertThat(first.counter()).isEqualTo(new Counter(5, 0, 0, 5, 1));
        assertThat(retry.outcome()).isEqualTo(Outcome.DUPLICATE);
        assertThat(retry.counter().used()).isEqualTo(5);
        assertThat(store.counter(CALLS)).isEqualTo(new Counter(7, 0, 0, 7, 2));
    }

    @Test
    void aKeyReusedForOtherUsage_isRefusedNamingTheKey_andChangesNothing() {
        store.record(CALLS, 5, "req-1", NO_LIMIT, NOW);

        assertThatThrownBy(() -> store.record(CALLS, 6, "req-1", NO_LIMIT, NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'req-1'")
                .hasMessageContaining("already counted 5 api_calls, not 6 api_calls")
                .hasMessageContaining("use a new key");
        assertThatThrownBy(() -> store.record(USERS, 5, "req-1", NO_LIMIT, NOW))
                .as("keys are unique per tenant across metrics")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not 5 users");
        assertThat(store.counter(CALLS)).isEqualTo(new Counter(5, 0, 0, 5, 1));
        assertThat(store.counter(USERS).used()).isZero();
    }

    @Test
    void keysBelongToOneTenant_theSameKeyCountsForEach() {
        CounterKey globexCalls = new CounterKey(GLOBEX, "api_calls", MAY);
        store.record(CALLS, 1, "req-1", NO_LIMIT, NOW);
        assertThat(store.record(globexCalls, 1, "req-1", NO_LIMIT, NOW).outcome())
                .isEqualTo(Outcome.COUNTED);
        assertThat(store.counter(globexCalls).used()).isEqualTo(1);
    }

    @Test
    void aRecordOverTheHardLimit_isRefused_writesNothing_andLeavesTheKeyFree() {
        store.record(CALLS, 8, "req-1", 10, NOW);
        Recorded refused = store.record(CALLS, 3, "req-2", 10, NOW);

        assertThat(refused.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(refused.counter().used()).isEqualTo(8);
        assertThat(store.counter(CALLS)).isEqualTo(new Counter(8, 0, 0, 8, 1));
        assertThat(store.record(CALLS, 3, "req-2", 20, NOW).outcome())
                .as("the refused key counts once the limit allows it")
                .isEqualTo(Outcome.COUNTED);
    }

    @Test
    void leasesCountAgainstTheHardLimitOfRecords() {
        store.lease(CALLS, change("node-a", NOW.plusSeconds(300)), 7, 10);
        assertThat(store.record(CALLS, 4, "req-1", 10, NOW).outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(store.record(CALLS, 3, "req-2", 10, NOW).outcome()).isEqualTo(Outcome.COUNTED);
        assertThat(store.counter(CALLS).taken()).isEqualTo(10);
    }

    @Test
    void aReleaseLowersARunningTotal_butNeverBelowZero() {
        store.record(USERS, 3, "invite-1", 3, NOW);
        assertThat(store.record(USERS, -1, "remove-1", 3, NOW).counter().used()).isEqualTo(2);
        assertThatThrownBy(() -> store.record(USERS, -5, "remove-2", 3, NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Releasing 5 users of 'acme' would take the count below zero (it is 2)");
        assertThat(store.counter(USERS)).isEqualTo(new Counter(2, 0, 0, 3, 2));
    }

    @Test
    void aLeaseGrantsAtMostWhatTheLimitLeaves_andSaysWhatRemains() {
        store.record(CALLS, 60, "req-1", 100, NOW);
        assertThat(store.lease(CALLS, change("node-a", NOW.plusSeconds(300)), 30, 100))
                .isEqualTo(new UsageStore.Lease(30, 10));
        assertThat(store.lease(CALLS, change("node-b", NOW.plusSeconds(300)), 30, 100))
                .isEqualTo(new UsageStore.Lease(10, 0));
        assertThat(store.lease(CALLS, change("node-a", NOW.plusSeconds(300)), 1, 100))
                .isEqualTo(new UsageStore.Lease(0, 0));
        assertThat(store.counter(CALLS)).isEqualTo(new Counter(60, 40, 0, 60, 1));
    }

    @Test
    void aFlushMovesConsumedAllowanceFromTheLeaseToUsage() {
        store.lease(CALLS, change("node-a", NOW.plusSeconds(300)), 50, 100);
        Counter after = store.flush(CALLS, change("node-a"), 20, 20, true);

        assertThat(after).isEqualTo(new Counter(20, 30, 0, 20, 20));
        assertThat(store.counter(CALLS)).isEqualTo(after);
        store.returnLease(CALLS, change("node-a"), 30);
        assertThat(store.counter(CALLS)).isEqualTo(new Counter(20, 0, 0, 20, 20));
    }

    @Test
    void aChangeSentAgainWithItsId_isAppliedOnce_andALeaseAnswersWhatItGranted() {
        UsageStore.NodeChange lease = change("node-a");
        assertThat(store.lease(CALLS, lease, 30, 100)).isEqualTo(new UsageStore.Lease(30, 70));
        assertThat(store.lease(CALLS, lease, 30, 100).granted())
                .as("the same lease, its answer lost the first time")
                .isEqualTo(30);
        assertThat(store.counter(CALLS)).isEqualTo(new Counter(0, 30, 0, 0, 0));

        UsageStore.NodeChange flush = change("node-a");
        store.flush(CALLS, flush, 10, 10, true);
        store.flush(CALLS, flush, 10, 10, true);
        assertThat(store.counter(CALLS)).isEqualTo(new Counter(10, 20, 0, 10, 10));

        UsageStore.NodeChange back = change("node-a");
        store.returnLease(CALLS, back, 20);
        store.returnLease(CALLS, back, 20);
        assertThat(store.counter(CALLS)).isEqualTo(new Counter(10, 0, 0, 10, 10));

        UsageStore.NodeChange soft = change("node-b");
        store.flush(CALLS, soft, 5, 5, false);
        store.flush(CALLS, soft, 5, 5, false);
        assertThat(store.counter(CALLS).used()).isEqualTo(15);
        assertThat(store.writeOffExpiredLeases(NOW.plusSeconds(3_600)))
                .as("a node's emptied leases are not written off")
                .isEmpty();
        assertThat(store.counter(CALLS)).isEqualTo(new Counter(15, 0, 0, 15, 15));
    }

    @Test
    void softAndUnlimitedUsageIsFlushedWithoutALease() {
        assertThat(store.flush(CALLS, change("node-a"), 250, 3, false)).isEqualTo(new Counter(250, 0, 0, 250, 3));
    }

    @Test
    void anExpiredLeaseIsWrittenOff_stillCountingAgainstTheLimit_andARenewedOneIsNot() {
        store.lease(CALLS, change("dead", NOW.plusSeconds(60)), 40, 100);
        store.lease(CALLS, change("alive", NOW.plusSeconds(60)), 30, 100);
        assertThat(store.renewLeases("alive", NOW.plusSeconds(600))).isEqualTo(1);

        List<WrittenOff> done = store.writeOffExpiredLeases(NOW.plusSeconds(120));

        assertThat(done).containsExactly(new WrittenOff(CALLS, "dead", 40));
        assertThat(store.counter(CALLS)).isEqualTo(new Counter(0, 30, 40, 0, 0));
        assertThat(store.lease(CALLS, change("alive", NOW.plusSeconds(600)), 100, 100)
                        .granted())
                .as("written off allowance is not granted again")
                .isEqualTo(30);
        assertThat(store.writeOffExpiredLeases(NOW.plusSeconds(120))).isEmpty();
    }

    @Test
    void usageOfALeaseWrittenOffMeanwhile_comesOutOfTheWrittenOffAmount() {
        store.lease(CALLS, change("slow", NOW.plusSeconds(60)), 40, 100);
        store.writeOffExpiredLeases(NOW.plusSeconds(120));

        store.flush(CALLS, change("slow"), 15, 15, true);
        assertThat(store.counter(CALLS)).isEqualTo(new Counter(15, 0, 25, 15, 15));
        store.returnLease(CALLS, change("slow"), 25);
        assertThat(store.counter(CALLS)).isEqualTo(new Counter(15, 0, 0, 15, 15));
    }

    @Test
    void historyIsNewestFirst_withSumPeakAndCount_andPeriodsSelectByStart() {
        CounterKey june = new CounterKey(ACME, "api_calls", JUNE);
        store.record(CALLS, 10, "may-1", NO_LIMIT, NOW);
        store.record(CALLS, 5, "may-2", NO_LIMIT, NOW);
        store.record(june, 7, "june-1", NO_LIMIT, NOW);
        store.record(new CounterKey(GLOBEX, "api_calls", JUNE), 1, "g-1", NO_LIMIT, NOW);

        assertThat(store.history(ACME, "api_calls"))
                .containsExactly(
                        new UsagePeriod("api_calls", JUNE, 7, 7, 1), new UsagePeriod("api_calls", MAY, 15, 15, 2));
        assertThat(store.history(ACME, "users")).isEmpty();
        assertThat(store.periods(JUNE, JUNE.plusMonths(1)))
                .containsExactlyInAnyOrder(
                        new PeriodUsage(ACME, "api_calls", JUNE, 7), new PeriodUsage(GLOBEX, "api_calls", JUNE, 1));
        assertThat(store.periods(MAY, JUNE)).containsExactly(new PeriodUsage(ACME, "api_calls", MAY, 15));
    }

    @Test
    void racingRecordsLeasesAndFlushes_neverPassTheHardLimit_andCountExactlyWhatWasAccepted() throws Exception {
        long limit = 2_000;
        int threads = 8;
        AtomicLong accepted = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                String node = "node-" + t;
                done.add(pool.submit(() -> {
                    start.await();
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < 150; i++) {
                        if (random.nextBoolean()) {
                            long q = 1 + random.nextInt(20);
                            if (store.record(CALLS, q, node + "-" + i, limit, NOW)
                                            .outcome()
                                    == Outcome.COUNTED) {
                                accepted.addAndGet(q);
                            }
                        } else {
                            long granted = store.lease(
                                            CALLS, change(node, NOW.plusSeconds(300)), 1 + random.nextInt(30), limit)
                                    .granted();
                            long used = granted == 0 ? 0 : random.nextLong(granted + 1);
                            if (granted > 0) {
                                store.flush(CALLS, change(node), used, used, true);
                                store.returnLease(CALLS, change(node), granted - used);
                                accepted.addAndGet(used);
                            }
                        }
                        assertThat(store.counter(CALLS).taken()).isLessThanOrEqualTo(limit);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        }
        Counter end = store.counter(CALLS);
        assertThat(end.used()).isEqualTo(accepted.get()).isLessThanOrEqualTo(limit);
        assertThat(end.leased()).isZero();
        assertThat(end.writtenOff()).isZero();
    }
}
