package dev.tenancy.billing;

import dev.tenancy.TenantId;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage metering and quota enforcement, exact across nodes.
 *
 * <pre>{@code
 * UsageMeter meter = billing.meter().nodeId("node-1").build();                // one per node; close it
 * if (!meter.tryConsume(tenant, Metric.API_CALLS, 1)) { ... 429 ... }          // hot path, in memory
 * QuotaDecision d = meter.consume(tenant, Metric.API_CALLS, 1);                 // the same, with the numbers
 * meter.enforce(tenant, Metric.INVOICES, 1);                                   // or QuotaExceededException
 * meter.record(tenant, Metric.USERS, 1, "invite-8841");                        // durable, exactly once
 * }</pre>
 *
 * <h2>Two paths</h2>
 *
 * <p>{@link #record} is durable: the usage event (with its tenant-scoped idempotency key) and the
 * counter change commit in one transaction, so a retried request is counted once and nothing is
 * lost; a hard limit is checked against the locked counter row.
 *
 * <p>{@link #tryConsume}, {@link #consume} and {@link #enforce} are the hot path, in memory: each
 * node leases allowance for a (tenant, metric, period) from the database in chunks ({@link
 * Builder#leaseChunk}, default 100) and spends it locally with one compare-and-set; the database
 * grants a lease only while {@code used + leased + written_off + lease <= limit} (under the
 * counter's row lock), so a hard limit is never exceeded, whatever the number of nodes. Consumed
 * usage is flushed to the counter every {@link Builder#flushInterval} (default 1 s), which also
 * renews the node's leases; {@link #close} flushes and returns what is left. Soft and unlimited
 * metrics never lease: usage is counted locally and flushed, and soft overage is billed.
 *
 * <h2>After a crash</h2>
 *
 * <p>A node that dies keeps its leases until they expire ({@link Builder#leaseTtl}, default 5
 * minutes); then any node's housekeeping writes them off: the leased amount moves to {@code
 * written_off}, which still counts against the limit. Worst case, per crashed node: for each
 * (tenant, hard metric) it held a lease on, up to one chunk of allowance is lost until the period
 * ends, and the usage it consumed but had not flushed (at most one flush interval's worth, and
 * never more than its leases) is not in the counter and not billed. The limit is never exceeded.
 *
 * <h2>Lost answers</h2>
 *
 * <p>Every change a node makes to the store (a lease, a flush, a return) has an id, and the store
 * applies an id once ({@link UsageStore.NodeChange}). When a change's outcome is unknown (the
 * connection died at {@code COMMIT}, the server restarted), the node keeps it and sends it again,
 * with the same id, before any other change of that allowance: at the next refill, the next flush,
 * or in {@link #close}, which tries for about 3 s, so that a connection lost a moment before is
 * replaced by the pool. A lease granted before its answer was lost is handed to the node then; a
 * flush or return applied before is not applied twice. Meanwhile the tenant's consumption on that
 * node is refused (never granted on a guess). Only if the database stays unreachable through close
 * does the lease expire and get written off, as after a crash.
 *
 * <p>Counters, events and leases live in the billing's {@link UsageStore} (the platform database
 * unless {@link Billing.Builder#usageStore} says otherwise); "the database" above is that store.
 *
 * <p>Limits come from {@link Subscriptions#terms}: the plan version's limit, or the override's.
 * They are re-read when a lease runs out and the terms are older than {@link Builder#termsTtl}
 * (default 30 s) or have changed since: a subscription, plan change or override made through
 * {@link Subscriptions} counts as a change at once on its node and, on PostgreSQL, on every node
 * (LISTEN/NOTIFY on one connection per meter), so a raised limit applies to a tenant that has run
 * out without waiting. A tenant without a subscription has a hard limit of 0. Monthly metrics count per
 * monthly period on the subscription's anchor day; others ({@link #LIFETIME}) never reset.
 */
public final class UsageMeter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UsageMeter.class);

    /** The period start of metrics that never reset. */
    public static final LocalDate LIFETIME = LocalDate.of(1970, 1, 1);

    private final UsageStore store;
    private final Subscriptions subscriptions;
    private final String nodeId;
    private final long chunk;
    private final Duration leaseTtl;
    private final long termsTtlNanos;
    private final ZoneId zone;
    private final java.time.InstantSource clock;
    private final ConcurrentHashMap<TenantId, ConcurrentHashMap<String, Allowance>> allowances =
            new ConcurrentHashMap<>();
    private final Set<Allowance> retiring = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService scheduler;
    private final AutoCloseable termsSubscription;
    private final Map<String, UsageGauge> gauges;
    private final java.nio.file.Path unsettledFile; // null: none
    private volatile boolean closed;

    private UsageMeter(Builder b) {
        this.store = b.store;
        this.subscriptions = Objects.requireNonNull(
                b.subscriptions, "subscriptions: limits come from the subscription terms; pass Subscriptions");
        this.nodeId = b.nodeId;
        this.chunk = b.chunk;
        this.leaseTtl = b.leaseTtl;
        this.termsTtlNanos = b.termsTtl.toNanos();
        this.zone = b.zone;
        this.clock = b.clock;
        this.gauges = Map.copyOf(b.gauges);
        this.unsettledFile = b.unsettledFile;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tenancy-usage-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        long flush = b.flushInterval.toMillis();
        this.termsSubscription = subscriptions.onTermsChanged(this::termsChanged);
        settleUnsettledFile();
        scheduler.scheduleWithFixedDelay(this::housekeeping, flush, flush, TimeUnit.MILLISECONDS);
    }

    /**
     * Sends what a meter closed earlier with {@link Builder#unsettledFile} could not, in order,
     * each step with its id, removing each from the file once the store has it; what is left stays
     * for the next housekeeping. Returns whether everything is settled.
     */
    private synchronized boolean settleUnsettledFile() {
        if (unsettledFile == null) {
            return true;
        }
        List<UnsettledUsage.Step> steps;
        try {
            steps = UnsettledUsage.read(unsettledFile);
        } catch (RuntimeException e) {
            LOG.error("Could not read {}; its usage stays unsettled", unsettledFile, e);
            return false;
        }
        int settled = 0;
        try {
            while (!steps.isEmpty()) {
                UnsettledUsage.Step step = steps.getFirst();
                UsageStore.NodeChange change = new UsageStore.NodeChange(
                        nodeId, step.id(), clock.instant().plus(leaseTtl));
                switch (step.change()) {
                    case "LEASE" -> {
                        // limit 0: a lease that never happened grants nothing now; one that did answers its grant
                        long granted = store.lease(step.key(), change, step.amount(), 0)
                                .granted();
                        steps.removeFirst();
                        if (granted > 0) {
                            steps.addFirst(new UnsettledUsage.Step(
                                    step.tenant(),
                                    step.metric(),
                                    step.periodStart(),
                                    "RETURN",
                                    java.util.UUID.randomUUID().toString(),
                                    granted,
                                    0,
                                    step.hard()));
                        }
                    }
                    case "FLUSH" -> {
                        store.flush(step.key(), change, step.amount(), step.calls(), step.hard());
                        steps.removeFirst();
                    }
                    case "RETURN" -> {
                        store.returnLease(step.key(), change, step.amount());
                        steps.removeFirst();
                    }
                    default ->
                        throw new IllegalStateException("Unknown step " + step.change() + " in " + unsettledFile);
                }
                UnsettledUsage.write(unsettledFile, steps);
                settled++;
            }
            if (settled > 0) {
                LOG.info("Settled {} usage changes left unsettled in {}", settled, unsettledFile);
            }
            return true;
        } catch (RuntimeException e) {
            LOG.warn(
                    "Could not settle the usage left in {} yet ({} steps); will retry", unsettledFile, steps.size(), e);
            return false;
        }
    }

    /** Writes what {@code unsettled} allowances still hold with the store to {@link #unsettledFile}, in order. */
    private boolean recordUnsettled(java.util.Collection<Allowance> unsettled) {
        if (unsettledFile == null) {
            return false;
        }
        List<UnsettledUsage.Step> steps = new java.util.ArrayList<>(UnsettledUsage.read(unsettledFile));
        for (Allowance a : unsettled) {
            synchronized (a) {
                String tenant = a.tenant.value();
                if (a.unsettled != null) {
                    steps.add(new UnsettledUsage.Step(
                            tenant,
                            a.metric.key(),
                            a.periodStart,
                            a.unsettled.change().name(),
                            a.unsettled.id(),
                            a.unsettled.amount(),
                            a.unsettled.calls(),
                            a.hard));
                }
                long unflushed = a.hard ? a.unflushed() : a.pending.sum();
                long calls = a.calls.sum();
                if (unflushed != 0 || calls != 0) {
                    steps.add(new UnsettledUsage.Step(
                            tenant,
                            a.metric.key(),
                            a.periodStart,
                            "FLUSH",
                            java.util.UUID.randomUUID().toString(),
                            unflushed,
                            calls,
                            a.hard));
                }
                long back = a.toReturn + a.remaining.get();
                if (back > 0) {
                    steps.add(new UnsettledUsage.Step(
                            tenant,
                            a.metric.key(),
                            a.periodStart,
                            "RETURN",
                            java.util.UUID.randomUUID().toString(),
                            back,
                            0,
                            a.hard));
                }
            }
        }
        UnsettledUsage.write(unsettledFile, steps);
        return true;
    }

    /**
     * A tenant's subscription or overrides changed (on any node, on PostgreSQL; {@code null}:
     * anyone's may have). At once, on the announcing thread: what this node holds of a hard limit's
     * lease stops being spendable, so a lowered limit (a downgrade) stops consumption here and now
     * instead of after the lease is spent, and the limits are to be read again. Then, on this meter's
     * thread: the new limits are read and the unspent lease goes back to the database, so the next
     * consumption leases under the new limit (the database refuses anything past it, counting what
     * is already used).
     */
    private void termsChanged(TenantId tenant) {
        Collection<ConcurrentHashMap<String, Allowance>> affected;
        if (tenant == null) {
            affected = allowances.values();
        } else {
            ConcurrentHashMap<String, Allowance> byMetric = allowances.get(tenant);
            affected = byMetric == null ? List.of() : List.of(byMetric);
        }
        List<Allowance> stale = new java.util.ArrayList<>();
        for (Map<String, Allowance> byMetric : affected) {
            for (Allowance a : byMetric.values()) {
                a.termsReadAt = System.nanoTime() - termsTtlNanos - 1;
                if (a.hard) {
                    synchronized (a) {
                        long back = a.remaining.getAndSet(0);
                        a.granted -= back;
                        a.toReturn += back;
                    }
                }
                stale.add(a);
            }
        }
        if (!stale.isEmpty() && !closed) {
            try {
                scheduler.execute(() -> stale.forEach(this::reread));
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // closing: close() returns every lease
            }
        }
    }

    /** Reads {@code a}'s limit again and gives back what {@link #termsChanged} took from its lease. */
    private void reread(Allowance a) {
        try {
            synchronized (a) {
                if (a.retired) {
                    return;
                }
                Allowance reloaded = load(a.tenant, a.metric);
                if (!reloaded.periodStart.equals(a.periodStart) || reloaded.hard != a.hard) {
                    retire(a);
                    return;
                }
                a.apply(new Limit(reloaded.limit, a.hard ? Limit.Enforcement.HARD : Limit.Enforcement.SOFT, null));
                giveBack(a);
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not read the new limits of '{}'; the next refill will", a.tenant, e);
        }
    }

    /** Returns to the database what was taken from {@code a}'s lease and not yet returned (guarded by a). */
    private void giveBack(Allowance a) {
        settle(a);
        if (a.toReturn > 0) {
            long back = a.toReturn;
            a.toReturn = 0;
            send(a, new Unsettled(Change.RETURN, back, 0)); // unsettled, it is sent again
        }
    }

    static Builder builder(UsageStore store) {
        return new Builder(store);
    }

    /** This node's id, as written on its leases. */
    public String nodeId() {
        return nodeId;
    }

    // ---------------------------------------------------------------------------------------------
    // The hot path

    /**
     * Consumes {@code quantity} of {@code metric} for {@code tenant} if the limit allows: in memory
     * while this node's lease lasts (no allocation, no I/O), from the database when it must lease
     * more. Soft and unlimited metrics always succeed.
     */
    public boolean tryConsume(TenantId tenant, Metric metric, long quantity) {
        requirePositive(quantity);
        if (!gauges.isEmpty() && gauges.containsKey(metric.key())) {
            return gauged(tenant, metric, quantity).allowed();
        }
        return tryConsume(allowance(tenant, metric), quantity);
    }

    /**
     * A gauged metric's decision: whether {@code quantity} more fits under the limit beside what
     * the gauge measures now. Nothing is counted: the gauge sees the usage once it exists.
     */
    private QuotaDecision gauged(TenantId tenant, Metric metric, long quantity) {
        Objects.requireNonNull(tenant, "tenant");
        LocalDate today = LocalDate.ofInstant(clock.instant(), zone);
        Optional<Terms> terms = subscriptions.terms(tenant, today);
        if (terms.isEmpty()) { // no subscription (an id the catalog may not know): nothing is measured
            return new QuotaDecision(false, metric.key(), 0, 0, 0, null, false);
        }
        Limit limit = terms.get().limit(metric.key());
        long used = gauges.get(metric.key()).current(tenant);
        boolean hard = limit.enforcement() == Limit.Enforcement.HARD && !limit.unlimited();
        long max = limit.unlimited() ? Long.MAX_VALUE : limit.max();
        boolean fits = used + quantity <= max;
        return new QuotaDecision(!hard || fits, metric.key(), max, used, Math.max(0, max - used), null, !hard && !fits);
    }

    /**
     * A handle on one tenant's quota of one metric, for code that checks it often: it skips the
     * lookup {@link #tryConsume(TenantId, Metric, long)} makes on every call and follows the quota
     * into the next period. Valid until this meter closes; safe to share between threads.
     */
    public Quota quota(TenantId tenant, Metric metric) {
        requireCounted(metric);
        return new Quota(this, tenant, metric, allowance(tenant, metric));
    }

    /** The hot path on a known allowance (retired allowances refill through a fresh one). */
    boolean tryConsume(Allowance a, long quantity) {
        if (!a.hard) {
            a.pending.add(quantity);
            a.calls.increment();
            if (a.retired) {
                retiring.add(a); // retired meanwhile, perhaps already flushed: the next flush takes this too
            }
            return true;
        }
        AtomicLong remaining = a.remaining;
        for (long r = remaining.get(); r >= quantity; r = remaining.get()) {
            if (remaining.compareAndSet(r, r - quantity)) {
                a.calls.increment(); // what was consumed is granted - remaining: no second counter
                return true;
            }
        }
        return refill(a, a.tenant, a.metric, quantity);
    }

    /** {@link #tryConsume} with the numbers: the decision says whether it was consumed. Never throws for a denial. */
    public QuotaDecision consume(TenantId tenant, Metric metric, long quantity) {
        if (!gauges.isEmpty() && gauges.containsKey(metric.key())) {
            requirePositive(quantity);
            return gauged(tenant, metric, quantity);
        }
        boolean ok = tryConsume(tenant, metric, quantity);
        return decision(allowance(tenant, metric), ok, quantity);
    }

    /**
     * Consumes or throws.
     *
     * @throws QuotaExceededException with the limit, usage, remainder and retry-after when denied
     */
    public QuotaDecision enforce(TenantId tenant, Metric metric, long quantity) {
        QuotaDecision d = consume(tenant, metric, quantity);
        if (!d.allowed()) {
            throw new QuotaExceededException(tenant, quantity, d);
        }
        return d;
    }

    /** Whether {@code quantity} more would be allowed now, without consuming it (reads the database). */
    public QuotaDecision check(TenantId tenant, Metric metric, long quantity) {
        requirePositive(quantity);
        if (!gauges.isEmpty() && gauges.containsKey(metric.key())) {
            return gauged(tenant, metric, quantity);
        }
        Allowance a = allowance(tenant, metric);
        UsageStore.Counter row = store.counter(a.key);
        long used = row.used() + a.unflushed();
        long taken = row.taken();
        if (!a.hard) {
            long limit = a.limit;
            return new QuotaDecision(
                    true, metric.key(), limit, used, Math.max(0, limit - used), a.retryAfter, used + quantity > limit);
        }
        long available = Math.max(0, a.limit - taken) + a.remaining.get();
        return new QuotaDecision(available >= quantity, metric.key(), a.limit, used, available, a.retryAfter, false);
    }

    QuotaDecision decision(Allowance a, boolean allowed, long quantity) {
        long limit = a.limit;
        if (!a.hard) {
            long used = a.knownUsed + a.pending.sum();
            return new QuotaDecision(
                    allowed,
                    a.metric.key(),
                    limit,
                    used,
                    Math.max(0, limit - used),
                    a.retryAfter,
                    limit != Long.MAX_VALUE && used > limit);
        }
        long remaining = a.remaining.get() + a.knownAvailable;
        // after a lowered limit, what was used before may be past it: report it, never hide it
        long used = Math.max(a.knownUsed, Math.max(0, limit - remaining));
        return new QuotaDecision(allowed, a.metric.key(), limit, used, remaining, a.retryAfter, false);
    }

    /** How many tenants this meter holds allowances for (for tests: tenants without a subscription hold none). */
    int tenantsHeld() {
        return allowances.size();
    }

    Allowance allowance(TenantId tenant, Metric metric) {
        ConcurrentHashMap<String, Allowance> byMetric = allowances.get(tenant);
        if (byMetric != null) {
            Allowance a = byMetric.get(metric.key());
            if (a != null && (a.metric == metric || a.metric.equals(metric))) {
                return a;
            }
        }
        return create(tenant, metric);
    }

    private Allowance create(TenantId tenant, Metric metric) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(metric, "metric");
        if (closed) {
            throw new IllegalStateException("This UsageMeter is closed");
        }
        Allowance fresh = load(tenant, metric);
        if (fresh.unsubscribed) {
            // No subscription (a tenant the catalog does not know has none): denied, and nothing is
            // kept or written for it, so unknown ids cannot grow this map or the counter table.
            return fresh;
        }
        ConcurrentHashMap<String, Allowance> byMetric =
                allowances.computeIfAbsent(tenant, t -> new ConcurrentHashMap<>());
        Allowance current = byMetric.get(metric.key());
        if (current != null && current.metric.equals(metric)) {
            return current;
        }
        Allowance raced = byMetric.putIfAbsent(metric.key(), fresh);
        if (raced == null) {
            return fresh;
        }
        if (!raced.metric.equals(metric)) {
            throw new IllegalArgumentException("Metric '" + metric.key() + "' is used both as "
                    + (raced.metric.monthly() ? "monthly" : "a running total") + " and as "
                    + (metric.monthly() ? "monthly" : "a running total") + ": use one Metric per key");
        }
        return raced;
    }

    private Allowance load(TenantId tenant, Metric metric) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), zone);
        Terms terms = subscriptions.terms(tenant, today).orElse(null);
        LocalDate start = LIFETIME;
        LocalDate end = null;
        if (metric.monthly()) {
            BillingSchedule monthly = terms == null
                    ? BillingSchedule.of(BillingCycle.MONTHLY, today.withDayOfMonth(1))
                    : new BillingSchedule(
                            BillingCycle.MONTHLY,
                            terms.subscription().anchor(),
                            terms.subscription().anchorDay());
            BillingPeriod p = monthly.periodContaining(today);
            start = p.start();
            end = p.end();
        }
        Limit limit = terms == null ? Limit.hard(0) : terms.limit(metric.key());
        Allowance a = new Allowance(
                tenant,
                metric,
                start,
                end,
                end == null ? null : end.atStartOfDay(zone).toInstant());
        a.apply(limit);
        a.unsubscribed = terms == null;
        return a;
    }

    private boolean refill(Allowance a, TenantId tenant, Metric metric, long quantity) {
        if (a.unsubscribed) { // kept nowhere: look again for a subscription, never lease from the store
            Allowance now = create(tenant, metric);
            if (now.unsubscribed) {
                return false;
            }
            a.retired = true; // a handle holding it moves to the subscribed allowance
            return tryConsume(now, quantity);
        }
        synchronized (a) {
            if (a.retired) {
                return tryConsume(tenant, metric, quantity);
            }
            for (; ; ) {
                for (long r = a.remaining.get(); r >= quantity; r = a.remaining.get()) {
                    if (a.remaining.compareAndSet(r, r - quantity)) {
                        a.calls.increment();
                        return true;
                    }
                }
                if (System.nanoTime() - a.termsReadAt > termsTtlNanos) {
                    Allowance reloaded = load(tenant, metric);
                    if (!reloaded.periodStart.equals(a.periodStart) || reloaded.hard != a.hard) {
                        retire(a); // another period, or hard became soft (or back): start afresh
                        return tryConsume(tenant, metric, quantity);
                    }
                    a.apply(new Limit(reloaded.limit, Limit.Enforcement.HARD, null));
                }
                long need = Math.max(chunk, quantity - a.remaining.get());
                long granted;
                try {
                    settle(a); // a change whose outcome is unknown goes first, with its own id
                    giveBack(a); // what a terms change took, before asking for more under the new limit
                    long before = a.granted;
                    send(a, new Unsettled(Change.LEASE, need, 0));
                    granted = a.granted - before;
                } catch (RuntimeException e) {
                    LOG.warn(
                            "Could not lease {} of {} for '{}': denying until the database answers",
                            need,
                            metric.key(),
                            tenant,
                            e);
                    return false;
                }
                if (granted == 0) {
                    return false;
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The durable path

    /**
     * Records {@code quantity} of {@code metric} for {@code tenant} exactly once per {@code
     * idempotencyKey} (unique per tenant): the event and the counter commit in one transaction. A
     * hard limit refuses usage that would exceed it (nothing is written, the key stays free); a
     * negative quantity releases capacity of a running-total metric (seats).
     *
     * @throws IllegalArgumentException when the key was already used for other usage, or a release
     *     would take the count below zero
     */
    public UsageRecord record(TenantId tenant, Metric metric, long quantity, String idempotencyKey) {
        Objects.requireNonNull(tenant, "tenant");
        if (idempotencyKey == null || idempotencyKey.isBlank() || idempotencyKey.length() > 200) {
            throw new IllegalArgumentException("An idempotency key is 1 to 200 characters, was '" + idempotencyKey
                    + "': use the request's id so a retry is counted once");
        }
        if (quantity == 0 || (quantity < 0 && metric.monthly())) {
            throw new IllegalArgumentException("Usage of " + metric.key() + " must be positive"
                    + (metric.monthly() ? "" : " (or negative to release capacity)") + ", was " + quantity);
        }
        requireCounted(metric);
        Allowance a = allowance(tenant, metric);
        UsageStore.Recorded r =
                store.record(a.key, quantity, idempotencyKey, a.hard ? a.limit : Long.MAX_VALUE, clock.instant());
        return new UsageRecord(r.outcome(), durable(a, r.counter(), r.outcome() != UsageRecord.Outcome.REFUSED));
    }

    private static QuotaDecision durable(Allowance a, UsageStore.Counter row, boolean allowed) {
        long used = row.used();
        long taken = row.taken();
        long limit = a.limit;
        long remaining = Math.max(0, limit == Long.MAX_VALUE ? Long.MAX_VALUE : limit - taken);
        return new QuotaDecision(
                allowed, a.metric.key(), limit, used, remaining, a.retryAfter, !a.hard && used > limit);
    }

    /** Usage of {@code metric} per period, newest first (flushed usage only; see {@link #flush}). */
    public List<UsagePeriod> history(TenantId tenant, Metric metric) {
        return store.history(Objects.requireNonNull(tenant, "tenant"), metric.key());
    }

    // ---------------------------------------------------------------------------------------------
    // Leases and flushing

    /** A change of the store this meter sent whose outcome is not known yet. */
    private enum Change {
        LEASE,
        FLUSH,
        RETURN
    }

    /**
     * A change sent to the store, kept until its outcome is known: sent again with the same id
     * (the store applies an id once) before any other change of its allowance.
     *
     * @param amount what to lease, flush or return
     * @param calls the hot-path calls a flush counts
     */
    private record Unsettled(Change change, String id, long amount, long calls) {
        Unsettled(Change change, long amount, long calls) {
            this(change, java.util.UUID.randomUUID().toString(), amount, calls);
        }
    }

    /** Sends {@code change} for {@code a} (guarded by a); it stays unsettled if the store does not answer. */
    private void send(Allowance a, Unsettled change) {
        if (a.unsettled != null) {
            throw new IllegalStateException("A change of " + a.key + " is unsettled");
        }
        if (change.change() == Change.FLUSH && a.hard) {
            a.inFlight += change.amount();
        }
        a.unsettled = change;
        settle(a);
    }

    /**
     * Sends {@code a}'s unsettled change again, with its id, and applies the answer (guarded by a);
     * throws while the store does not answer, leaving it unsettled.
     */
    private void settle(Allowance a) {
        Unsettled u = a.unsettled;
        if (u == null) {
            return;
        }
        UsageStore.NodeChange change =
                new UsageStore.NodeChange(nodeId, u.id(), clock.instant().plus(leaseTtl));
        switch (u.change()) {
            case LEASE -> {
                UsageStore.Lease lease = store.lease(a.key, change, u.amount(), a.limit);
                a.knownAvailable = lease.available();
                a.granted += lease.granted();
                a.remaining.addAndGet(lease.granted());
            }
            case FLUSH -> {
                UsageStore.Counter after = store.flush(a.key, change, u.amount(), u.calls(), a.hard);
                a.knownUsed = after.used();
                if (a.hard) {
                    a.inFlight -= u.amount();
                    a.flushed += u.amount();
                }
            }
            case RETURN -> store.returnLease(a.key, change, u.amount());
        }
        a.unsettled = null;
    }

    /** Whether {@code a} holds nothing the store does not know: no usage to flush, no lease to return, no change in doubt. */
    private static boolean settled(Allowance a) {
        synchronized (a) {
            return a.unsettled == null && a.toReturn == 0 && a.unflushed() == 0 && a.calls.sum() == 0;
        }
    }

    /** Writes this node's consumed usage to the counters and renews its leases; called every flush interval. */
    public void flush() {
        for (Map<String, Allowance> byMetric : allowances.values()) {
            for (Allowance a : byMetric.values()) {
                flush(a);
            }
        }
        for (Allowance a : retiring) {
            if (settled(a)) {
                retiring.remove(a);
            } else {
                flush(a);
            }
        }
        try {
            store.renewLeases(nodeId, clock.instant().plus(leaseTtl));
        } catch (RuntimeException e) {
            LOG.warn("Could not renew the leases of node {}; will retry", nodeId, e);
        }
    }

    private void flush(Allowance a) {
        synchronized (a) { // one change at a time per allowance: what is taken is derived from the lease
            try {
                settle(a);
                long take = a.hard ? a.unflushed() : a.pending.sumThenReset();
                long calls = a.calls.sumThenReset();
                if (take != 0 || calls != 0) {
                    send(a, new Unsettled(Change.FLUSH, take, calls));
                }
                giveBack(a); // what a terms change took, should its own return have failed
            } catch (RuntimeException e) {
                // Nothing is lost: the unsettled change is sent again, with its id, before anything else.
                LOG.warn("Could not flush usage of {} for '{}'; will retry", a.metric.key(), a.tenant, e);
            }
        }
    }

    private void returnLease(Allowance a) {
        synchronized (a) {
            long back = a.remaining.getAndSet(0);
            a.granted -= back;
            a.toReturn += back;
            giveBack(a);
        }
    }

    private void retire(Allowance a) {
        a.retired = true;
        ConcurrentHashMap<String, Allowance> byMetric = allowances.get(a.tenant);
        if (byMetric != null) {
            byMetric.remove(a.metric.key(), a);
        }
        retiring.add(a);
        flush(a);
        try {
            returnLease(a);
        } catch (RuntimeException e) {
            LOG.warn("Could not return the lease of {} for '{}'; will retry", a.metric.key(), a.tenant, e);
        }
    }

    /**
     * Writes off the expired leases of every node (a node that died): the amount stays counted
     * against the limit as {@code written_off}. Runs on every node's housekeeping.
     *
     * @return how many leases were written off
     */
    public int reclaimExpiredLeases() {
        List<UsageStore.WrittenOff> done = store.writeOffExpiredLeases(clock.instant());
        for (UsageStore.WrittenOff w : done) {
            LOG.warn(
                    "Wrote off an expired lease of {} {} for '{}' held by node {}",
                    w.amount(),
                    w.key().metric(),
                    w.key().tenant(),
                    w.nodeId());
        }
        return done.size();
    }

    private void housekeeping() {
        try {
            LocalDate today = LocalDate.ofInstant(clock.instant(), zone);
            for (Map<String, Allowance> byMetric : allowances.values()) {
                for (Allowance a : byMetric.values()) {
                    if (a.periodEnd != null && !today.isBefore(a.periodEnd)) {
                        synchronized (a) {
                            retire(a); // the period ended: the next use leases in the new one
                        }
                    }
                }
            }
            flush();
            settleUnsettledFile();
            reclaimExpiredLeases();
        } catch (RuntimeException e) {
            LOG.warn("Usage housekeeping failed; will retry", e);
        }
    }

    /** Flushes, returns every lease this node holds, and stops housekeeping. */
    @Override
    public void close() {
        closed = true;
        try {
            termsSubscription.close();
        } catch (Exception e) {
            LOG.debug("Closing the terms subscription failed", e);
        }
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Map<String, Allowance> byMetric : allowances.values()) {
            for (Allowance a : byMetric.values()) {
                synchronized (a) {
                    retire(a);
                }
            }
        }
        // Flush and return everything, and settle every change in doubt: a connection lost a
        // moment ago (killed, failed over) is replaced by the pool, so this is tried a few times.
        long delay = 50;
        for (int attempt = 1; ; attempt++) {
            for (Allowance a : retiring) {
                synchronized (a) {
                    flush(a);
                    try {
                        returnLease(a);
                    } catch (RuntimeException e) {
                        LOG.debug("Returning the lease of {} failed; will retry", a.key, e);
                    }
                }
            }
            retiring.removeIf(UsageMeter::settled);
            if (retiring.isEmpty() || attempt == CLOSE_ATTEMPTS) {
                break;
            }
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            delay *= 2;
        }
        if (!retiring.isEmpty()) {
            try {
                if (recordUnsettled(retiring)) {
                    LOG.warn(
                            "Closing node {}: the usage database did not answer; what {} allowances hold is in {},"
                                    + " which the next meter started with it settles",
                            nodeId,
                            retiring.size(),
                            unsettledFile);
                    return;
                }
            } catch (RuntimeException e) {
                LOG.error("Could not write the unsettled usage to {}", unsettledFile, e);
            }
        }
        for (Allowance a : retiring) {
            synchronized (a) {
                LOG.error(
                        "Closing node {}: the usage database did not answer; {} {} of '{}' are unflushed, {} to return"
                                + " and a {} is unsettled. Its lease expires in {} and is written off (counted against"
                                + " the limit until the period ends)",
                        nodeId,
                        a.unflushed(),
                        a.metric.key(),
                        a.tenant,
                        a.toReturn,
                        a.unsettled == null ? "no change" : a.unsettled.change(),
                        leaseTtl);
            }
        }
    }

    /** How many times {@link #close} tries to settle with the usage database (about 3 s in all). */
    private static final int CLOSE_ATTEMPTS = 7;

    // ---------------------------------------------------------------------------------------------

    private void requireCounted(Metric metric) {
        if (gauges.containsKey(metric.key())) {
            throw new IllegalArgumentException("Metric '" + metric.key() + "' is measured by "
                    + gauges.get(metric.key()) + ", not counted: check it with tryConsume, consume or enforce");
        }
    }

    static void requirePositive(long quantity) {
        if (quantity <= 0) {
            throw new IllegalArgumentException(
                    "Consumed quantities are positive, was " + quantity + ": release capacity with record(...)");
        }
    }

    /** One (tenant, metric, period) on this node: its limit, its lease and its unflushed usage. */
    static final class Allowance {
        final TenantId tenant;
        final Metric metric;
        final LocalDate periodStart;
        final UsageStore.CounterKey key;
        final LocalDate periodEnd;
        final Instant retryAfter;
        final AtomicLong remaining = new AtomicLong();
        /** Soft and unlimited metrics: consumed, not flushed. */
        final LongAdder pending = new LongAdder();
        /** Hard metrics: leased to this node in total, minus what it returned (guarded by this). */
        long granted;
        /** Hard metrics: consumed and flushed (guarded by this). */
        long flushed;
        /** Hard metrics: taken back from the lease by a terms change, not yet returned (guarded by this). */
        long toReturn;
        /** Hard metrics: consumed and in a flush whose outcome is not known yet (guarded by this). */
        long inFlight;
        /** The change of the store sent for this allowance whose outcome is not known yet (guarded by this). */
        Unsettled unsettled;

        final LongAdder calls = new LongAdder();
        volatile long limit;
        volatile boolean hard;
        volatile long termsReadAt;
        volatile long knownAvailable;
        volatile long knownUsed;
        volatile boolean retired;
        /** No subscription when it was loaded: limit 0, kept in no map, never leased from the store. */
        volatile boolean unsubscribed;

        Allowance(TenantId tenant, Metric metric, LocalDate periodStart, LocalDate periodEnd, Instant retryAfter) {
            this.tenant = tenant;
            this.metric = metric;
            this.periodStart = periodStart;
            this.key = new UsageStore.CounterKey(tenant, metric.key(), periodStart);
            this.periodEnd = periodEnd;
            this.retryAfter = retryAfter;
        }

        /** Consumed on this node and not yet in the counter. */
        long unflushed() {
            if (!hard) {
                return pending.sum();
            }
            synchronized (this) {
                return granted - remaining.get() - flushed - inFlight;
            }
        }

        void apply(Limit l) {
            this.limit = l.max();
            this.hard = l.enforcement() == Limit.Enforcement.HARD && !l.unlimited();
            this.termsReadAt = System.nanoTime();
        }
    }

    /** Builds a {@link UsageMeter}; one per node. */
    public static final class Builder {
        private final UsageStore store;
        private Subscriptions subscriptions;
        private String nodeId = "node-" + UUID.randomUUID().toString().substring(0, 8);
        private long chunk = 100;
        private Duration leaseTtl = Duration.ofMinutes(5);
        private Duration flushInterval = Duration.ofSeconds(1);
        private Duration termsTtl = Duration.ofSeconds(30);
        private ZoneId zone = java.time.ZoneOffset.UTC;
        private java.time.InstantSource clock = java.time.InstantSource.system();
        private final Map<String, UsageGauge> gauges = new java.util.HashMap<>();
        private java.nio.file.Path unsettledFile;

        private Builder(UsageStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** Where the limits come from (set by {@link Billing#meter()}). */
        Builder subscriptions(Subscriptions subscriptions) {
            this.subscriptions = subscriptions;
            return this;
        }

        /** This node's id on its leases (default random); keep it stable across restarts to reuse leases. */
        public Builder nodeId(String nodeId) {
            if (nodeId == null || nodeId.isBlank() || nodeId.length() > 100) {
                throw new IllegalArgumentException("A node id is 1 to 100 characters, was '" + nodeId + "'");
            }
            this.nodeId = nodeId;
            return this;
        }

        /** How much allowance one lease asks for (default 100): larger is fewer database trips, more to write off after a crash. */
        public Builder leaseChunk(long chunk) {
            if (chunk < 1) {
                throw new IllegalArgumentException("The lease chunk is at least 1, was " + chunk);
            }
            this.chunk = chunk;
            return this;
        }

        public Builder leaseTtl(Duration leaseTtl) {
            this.leaseTtl = positive(leaseTtl, "leaseTtl");
            return this;
        }

        public Builder flushInterval(Duration flushInterval) {
            this.flushInterval = positive(flushInterval, "flushInterval");
            return this;
        }

        /**
         * How old a tenant's limits may be when its allowance runs out before they are read again
         * (default 30 s); changes announced by {@link Subscriptions} do not wait for it.
         */
        public Builder termsTtl(Duration termsTtl) {
            this.termsTtl = Objects.requireNonNull(termsTtl, "termsTtl");
            return this;
        }

        public Builder zone(ZoneId zone) {
            this.zone = Objects.requireNonNull(zone, "zone");
            return this;
        }

        public Builder clock(java.time.InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Where {@link UsageMeter#close} writes what it could not settle with the usage database
         * (consumed usage to flush, allowance to return, a change whose answer was lost), each with
         * its operation id, should the database not answer while it closes; the next meter built
         * with the same file (and node id) sends them, once each, and empties the file. Without it
         * (the default), such leases expire and are written off. One file per node.
         */
        public Builder unsettledFile(java.nio.file.Path file) {
            this.unsettledFile = Objects.requireNonNull(file, "file");
            return this;
        }

        /** Measures {@code gauge}'s metric instead of counting it (see {@link UsageGauge}); one gauge per metric. */
        public Builder gauge(UsageGauge gauge) {
            Objects.requireNonNull(gauge, "gauge");
            UsageGauge before = gauges.putIfAbsent(gauge.metric().key(), gauge);
            if (before != null && before != gauge) {
                throw new IllegalArgumentException(
                        "Metric '" + gauge.metric().key() + "' has a gauge already: " + before + ", and " + gauge);
            }
            return this;
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }

        public UsageMeter build() {
            return new UsageMeter(this);
        }
    }
}
