package dev.tenancy.billing;

import dev.tenancy.TenantId;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Usage in this JVM. Each counter has its own lock, held for every check and change of it, so a
 * hard limit holds across all the meters sharing the store; idempotency keys are claimed with
 * {@code putIfAbsent} under the counter's lock, so a key counts once even when it races in for
 * two metrics at the same time.
 */
final class InMemoryUsageStore implements UsageStore {

    /** Guarded by {@link #lock}. */
    private static final class State {
        final ReentrantLock lock = new ReentrantLock();
        long used;
        long leased;
        long writtenOff;
        long peak;
        long events;
        final Map<String, NodeLease> leases = new HashMap<>();

        Counter snapshot() {
            return new Counter(used, leased, writtenOff, peak, events);
        }

        void add(long quantity, long count) {
            used += quantity;
            events += count;
            peak = Math.max(peak, used);
        }
    }

    private static final class NodeLease {
        long amount;
        Instant expiresAt;
        String lastOperation;
        long lastResult;

        boolean applied(NodeChange change) {
            return change.operation().equals(lastOperation);
        }

        void record(NodeChange change, long result) {
            lastOperation = change.operation();
            lastResult = result;
            expiresAt = change.expiresAt();
        }
    }

    private record EventKey(TenantId tenant, String idempotencyKey) {}

    private record Event(String metric, long quantity) {}

    private final ConcurrentHashMap<CounterKey, State> counters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<EventKey, Event> events = new ConcurrentHashMap<>();

    private State state(CounterKey key) {
        return counters.computeIfAbsent(key, k -> new State());
    }

    @Override
    public void open(CounterKey key) {
        state(key);
    }

    @Override
    public Counter counter(CounterKey key) {
        State s = counters.get(key);
        if (s == null) {
            return Counter.ZERO;
        }
        s.lock.lock();
        try {
            return s.snapshot();
        } finally {
            s.lock.unlock();
        }
    }

    @Override
    public Recorded record(CounterKey key, long quantity, String idempotencyKey, long hardLimit, Instant at) {
        State s = state(key);
        EventKey eventKey = new EventKey(key.tenant(), idempotencyKey);
        s.lock.lock();
        try {
            Event seen = events.get(eventKey);
            if (seen != null) {
                JdbcUsageStore.requireSameUsage(key, quantity, idempotencyKey, seen.metric(), seen.quantity());
                return new Recorded(UsageRecord.Outcome.DUPLICATE, s.snapshot());
            }
            if (quantity > 0 && s.used + s.leased + s.writtenOff + quantity > hardLimit) {
                return new Recorded(UsageRecord.Outcome.REFUSED, s.snapshot());
            }
            JdbcUsageStore.requireNotBelowZero(key, quantity, s.used);
            Event raced = events.putIfAbsent(eventKey, new Event(key.metric(), quantity));
            if (raced != null) { // the same key, counted for another metric a moment ago
                JdbcUsageStore.requireSameUsage(key, quantity, idempotencyKey, raced.metric(), raced.quantity());
                return new Recorded(UsageRecord.Outcome.DUPLICATE, s.snapshot());
            }
            s.add(quantity, 1);
            return new Recorded(UsageRecord.Outcome.COUNTED, s.snapshot());
        } finally {
            s.lock.unlock();
        }
    }

    @Override
    public Lease lease(CounterKey key, NodeChange change, long need, long limit) {
        State s = state(key);
        s.lock.lock();
        try {
            long available = limit - (s.used + s.leased + s.writtenOff);
            NodeLease held = s.leases.get(change.nodeId());
            if (held != null && held.applied(change)) {
                return new Lease(held.lastResult, Math.max(0, available));
            }
            long grant = Math.max(0, Math.min(need, available));
            if (grant > 0) {
                s.leased += grant;
                NodeLease lease = s.leases.computeIfAbsent(change.nodeId(), n -> new NodeLease());
                lease.amount += grant;
                lease.record(change, grant);
            }
            return new Lease(grant, Math.max(0, available - grant));
        } finally {
            s.lock.unlock();
        }
    }

    @Override
    public Counter flush(CounterKey key, NodeChange change, long quantity, long events, boolean fromLease) {
        State s = state(key);
        s.lock.lock();
        try {
            NodeLease lease = s.leases.get(change.nodeId());
            if (lease != null && lease.applied(change)) {
                return s.snapshot();
            }
            if (fromLease) { // out of the node's lease; what it no longer holds was written off meanwhile
                long leased = lease == null ? 0 : Math.max(0, Math.min(quantity, lease.amount));
                if (lease != null) {
                    lease.amount -= leased;
                }
                s.leased -= leased;
                s.writtenOff -= Math.min(quantity - leased, s.writtenOff);
            }
            s.leases.computeIfAbsent(change.nodeId(), n -> new NodeLease()).record(change, quantity);
            s.add(quantity, events);
            return s.snapshot();
        } finally {
            s.lock.unlock();
        }
    }

    @Override
    public void returnLease(CounterKey key, NodeChange change, long amount) {
        State s = state(key);
        s.lock.lock();
        try {
            NodeLease lease = s.leases.get(change.nodeId());
            if (lease != null && lease.applied(change)) {
                return;
            }
            // out of the node's lease; what it no longer holds was written off meanwhile
            long leased = lease == null ? 0 : Math.max(0, Math.min(amount, lease.amount));
            if (lease != null) {
                lease.amount -= leased;
            }
            s.leased -= leased;
            s.writtenOff = s.writtenOff > amount - leased ? s.writtenOff - (amount - leased) : 0;
            // kept at 0 with this operation, so a retry finds it; it expires once the node stops renewing
            s.leases.computeIfAbsent(change.nodeId(), n -> new NodeLease()).record(change, amount);
        } finally {
            s.lock.unlock();
        }
    }

    @Override
    public int renewLeases(String nodeId, Instant expiresAt) {
        int n = 0;
        for (State s : counters.values()) {
            s.lock.lock();
            try {
                NodeLease lease = s.leases.get(nodeId);
                if (lease != null) {
                    lease.expiresAt = expiresAt;
                    n++;
                }
            } finally {
                s.lock.unlock();
            }
        }
        return n;
    }

    @Override
    public List<WrittenOff> writeOffExpiredLeases(Instant now) {
        List<WrittenOff> out = new ArrayList<>();
        for (Map.Entry<CounterKey, State> e : counters.entrySet()) {
            State s = e.getValue();
            s.lock.lock();
            try {
                for (Iterator<Map.Entry<String, NodeLease>> it =
                                s.leases.entrySet().iterator();
                        it.hasNext(); ) {
                    Map.Entry<String, NodeLease> l = it.next();
                    if (l.getValue().expiresAt.isBefore(now)) {
                        long amount = l.getValue().amount;
                        if (amount <= 0) { // emptied by its node: nothing to write off
                            it.remove();
                            continue;
                        }
                        s.leased -= amount;
                        s.writtenOff += amount;
                        it.remove();
                        out.add(new WrittenOff(e.getKey(), l.getKey(), amount));
                    }
                }
            } finally {
                s.lock.unlock();
            }
        }
        return out;
    }

    @Override
    public List<UsagePeriod> history(TenantId tenant, String metric) {
        List<UsagePeriod> out = new ArrayList<>();
        counters.forEach((key, s) -> {
            if (key.tenant().equals(tenant) && key.metric().equals(metric)) {
                Counter c = counter(key);
                out.add(new UsagePeriod(metric, key.periodStart(), c.used(), c.peak(), c.events()));
            }
        });
        out.sort(Comparator.comparing(UsagePeriod::periodStart).reversed());
        return out;
    }

    @Override
    public List<PeriodUsage> periods(LocalDate fromInclusive, LocalDate toExclusive) {
        List<PeriodUsage> out = new ArrayList<>();
        counters.forEach((key, s) -> {
            if (!key.periodStart().isBefore(fromInclusive) && key.periodStart().isBefore(toExclusive)) {
                out.add(new PeriodUsage(
                        key.tenant(),
                        key.metric(),
                        key.periodStart(),
                        counter(key).used()));
            }
        });
        return out;
    }
}
