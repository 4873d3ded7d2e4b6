package dev.tenancy.billing;

import dev.tenancy.TenantId;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Where usage lives: one counter per (tenant, metric, period), the usage events behind it with
 * their idempotency keys, and the allowance each node has leased. {@link UsageMeter} spends and
 * records through it; the billing cycle (overage) and analytics (upsell candidates) read it.
 *
 * <pre>{@code
 * Billing.builder(dataSource)...build();                          // usage in the platform database (default)
 * Billing.builder(dataSource).usageStore(UsageStore.inMemory())  // usage in this JVM only: tests, demos
 * }</pre>
 *
 * <h2>The contract every store keeps</h2>
 *
 * <p>Each method is atomic per counter; in particular a counter's {@code used + leased +
 * writtenOff} never exceeds a hard limit passed to {@link #lease} or {@link #record}, whatever
 * the number of callers and nodes (the JDBC store locks the counter row; the in-memory store
 * locks the counter). An idempotency key is unique per tenant across metrics: usage recorded
 * under a key counts once, a refused record leaves the key free, and reusing a key for other
 * usage is refused. The {@code UsageStoreContract} tests hold the in-memory, H2 and PostgreSQL
 * stores to this.
 *
 * <p>{@link #jdbc} keeps everything in the platform database ({@code tenancy.tenancy_usage_counters},
 * {@code tenancy.tenancy_usage_events}, {@code tenancy.tenancy_usage_leases}) and is exact across nodes. {@link
 * #inMemory} is exact across the meters of one JVM and loses everything on restart.
 */
public interface UsageStore {

    /** The usage in this JVM only: exact across the meters sharing it, gone on restart. */
    static UsageStore inMemory() {
        return new InMemoryUsageStore();
    }

    /** The usage in {@code dataSource}'s database; installs the billing tables when missing. */
    static UsageStore jdbc(DataSource dataSource) {
        return new JdbcUsageStore(dataSource);
    }

    /**
     * One counter.
     *
     * @param tenant the tenant
     * @param metric the metric key
     * @param periodStart the first day of the period ({@link UsageMeter#LIFETIME} for running totals)
     */
    record CounterKey(TenantId tenant, String metric, LocalDate periodStart) {
        public CounterKey {
            Objects.requireNonNull(tenant, "tenant");
            Objects.requireNonNull(metric, "metric");
            Objects.requireNonNull(periodStart, "periodStart");
        }
    }

    /**
     * A counter's state.
     *
     * @param used usage counted (durable records and flushed hot-path usage)
     * @param leased allowance leased to nodes and not yet flushed or returned
     * @param writtenOff expired leases of nodes that died: still counted against a hard limit
     * @param peak the highest {@code used} reached in the period
     * @param events how many records and hot-path calls were counted
     */
    record Counter(long used, long leased, long writtenOff, long peak, long events) {
        /** A counter nothing was counted on. */
        public static final Counter ZERO = new Counter(0, 0, 0, 0, 0);

        /** What counts against a hard limit: {@code used + leased + writtenOff}. */
        public long taken() {
            return used + leased + writtenOff;
        }
    }

    /**
     * What {@link #record} did, and the counter after it.
     *
     * @param outcome counted, duplicate (the key was counted before) or refused (the hard limit)
     * @param counter the counter now
     */
    record Recorded(UsageRecord.Outcome outcome, Counter counter) {}

    /**
     * What {@link #lease} granted.
     *
     * @param granted the allowance now leased to the node (0 when the limit is reached)
     * @param available what the limit still allows beyond the grant
     */
    record Lease(long granted, long available) {}

    /**
     * Who changes a counter's lease, as which operation, and until when the node's lease lasts.
     *
     * <p>Each change a node makes ({@link #lease}, {@link #flush}, {@link #returnLease}) carries
     * an id of its own, and the store remembers the last one applied to each node's lease: when a
     * change's outcome is unknown (the connection died at {@code COMMIT}), the node sends it again
     * with the same id until it gets an answer, and a change already applied is not applied twice
     * (a lease answers what it granted then). A node sends no other change to that counter before.
     *
     * @param nodeId the node
     * @param operation the change's id (at most 36 characters), the same on every retry
     * @param expiresAt when the node's lease of the counter expires unless renewed
     */
    record NodeChange(String nodeId, String operation, Instant expiresAt) {
        public NodeChange {
            Objects.requireNonNull(nodeId, "nodeId");
            Objects.requireNonNull(expiresAt, "expiresAt");
            if (operation == null || operation.isEmpty() || operation.length() > 36) {
                throw new IllegalArgumentException("An operation id is 1 to 36 characters, was '" + operation + "'");
            }
        }

        /** A change by {@code nodeId} with a new random id. */
        public static NodeChange of(String nodeId, Instant expiresAt) {
            return new NodeChange(nodeId, java.util.UUID.randomUUID().toString(), expiresAt);
        }
    }

    /**
     * An expired lease that {@link #writeOffExpiredLeases} wrote off.
     *
     * @param key the counter
     * @param nodeId the node that held it
     * @param amount the allowance moved from leased to written off
     */
    record WrittenOff(CounterKey key, String nodeId, long amount) {}

    /** Creates the counter when missing (idempotent); the meter calls it once per counter before using it. */
    void open(CounterKey key);

    /** The counter, or {@link Counter#ZERO} when there is none. */
    Counter counter(CounterKey key);

    /**
     * Counts {@code quantity} under the tenant's {@code idempotencyKey}, with the event, in one
     * atomic step. A positive quantity that would take {@code used + leased + writtenOff} past
     * {@code hardLimit} is refused and writes nothing ({@code Long.MAX_VALUE}: no hard limit).
     *
     * @throws IllegalArgumentException when the key already counted other usage, or a negative
     *     quantity would take {@code used} below zero
     */
    Recorded record(CounterKey key, long quantity, String idempotencyKey, long hardLimit, Instant at);

    /**
     * Leases up to {@code need} to the node, never past {@code used + leased + writtenOff <=
     * limit}, and sets the node's lease on the counter to expire at {@link NodeChange#expiresAt}.
     * Sent again with the same operation id, answers what it granted the first time.
     */
    Lease lease(CounterKey key, NodeChange change, long need, long limit);

    /**
     * Adds consumed usage to {@code used} with its {@code events}. When {@code fromLease}, the
     * quantity comes out of the node's lease, or out of {@code writtenOff} when that lease was
     * written off meanwhile. Sent again with the same operation id, changes nothing.
     *
     * @return the counter after the flush
     */
    Counter flush(CounterKey key, NodeChange change, long quantity, long events, boolean fromLease);

    /**
     * Gives back {@code amount} of the node's lease (or of what was written off, if it expired
     * meanwhile). Sent again with the same operation id, changes nothing.
     */
    void returnLease(CounterKey key, NodeChange change, long amount);

    /** Moves the expiry of every lease {@code nodeId} holds to {@code expiresAt}; returns how many. */
    int renewLeases(String nodeId, Instant expiresAt);

    /** Writes off every lease that expired before {@code now}: its amount moves from leased to written off. */
    List<WrittenOff> writeOffExpiredLeases(Instant now);

    /** The counters of {@code tenant} for {@code metric}, newest period first. */
    List<UsagePeriod> history(TenantId tenant, String metric);

    /**
     * Every counter whose period starts in {@code [fromInclusive, toExclusive)}, in no particular
     * order: what the billing cycle bills as overage and analytics compare with limits.
     */
    List<PeriodUsage> periods(LocalDate fromInclusive, LocalDate toExclusive);

    /**
     * One counter's usage, as {@link #periods} lists it.
     *
     * @param tenant the tenant
     * @param metric the metric key
     * @param periodStart the first day of the period
     * @param used the usage counted
     */
    record PeriodUsage(TenantId tenant, String metric, LocalDate periodStart, long used) {}
}
