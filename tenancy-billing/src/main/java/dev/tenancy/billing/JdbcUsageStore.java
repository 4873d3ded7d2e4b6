package dev.tenancy.billing;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tenancy.StorageException;
import dev.tenancy.TenantId;
import dev.tenancy.internal.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Usage in the platform database. Every change locks the counter row first ({@code SELECT ... FOR
 * UPDATE}), so the hard-limit check and the change it allows are one step on every node; the
 * idempotency key is the primary key of {@code tenancy.tenancy_usage_events}.
 */
final class JdbcUsageStore implements UsageStore {
    private final DataSource dataSource;
    /** Counters known to exist: a lock or change then needs no insert first. */
    private final Cache<CounterKey, Boolean> opened =
            Caffeine.newBuilder().maximumSize(100_000).build();

    JdbcUsageStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        BillingDatabase.install(dataSource);
    }

    private void ensure(CounterKey key) {
        if (opened.getIfPresent(key) == null) {
            open(key);
        }
    }

    @Override
    public void open(CounterKey key) {
        try {
            Jdbc.inTransaction(dataSource, "create a usage counter", c -> {
                try (PreparedStatement s =
                        c.prepareStatement("INSERT INTO tenancy.tenancy_usage_counters (tenant_id, metric,"
                                + " period_start, used, leased, written_off, peak, events) SELECT ?, ?, ?, 0, 0, 0, 0, 0"
                                + " WHERE NOT EXISTS (SELECT 1 FROM tenancy.tenancy_usage_counters WHERE tenant_id = ? AND metric = ?"
                                + " AND period_start = ?)")) {
                    bind(s, 1, key);
                    bind(s, 4, key);
                    return s.executeUpdate();
                }
            });
        } catch (StorageException e) {
            if (!Jdbc.isUniqueViolation(e)) {
                throw e;
            }
        }
        opened.put(key, Boolean.TRUE);
    }

    @Override
    public Counter counter(CounterKey key) {
        return Jdbc.read(dataSource, "read usage of '" + key.tenant() + "'", c -> counter(c, key, false));
    }

    @Override
    public Recorded record(CounterKey key, long quantity, String idempotencyKey, long hardLimit, Instant at) {
        ensure(key);
        for (int attempt = 1; ; attempt++) {
            try {
                return Jdbc.inTransaction(dataSource, "record usage for '" + key.tenant() + "'", c -> {
                    try (PreparedStatement s =
                            c.prepareStatement("SELECT metric, quantity FROM tenancy.tenancy_usage_events"
                                    + " WHERE tenant_id = ? AND idempotency_key = ?")) {
                        s.setString(1, key.tenant().value());
                        s.setString(2, idempotencyKey);
                        try (ResultSet rs = s.executeQuery()) {
                            if (rs.next()) {
                                requireSameUsage(key, quantity, idempotencyKey, rs.getString(1), rs.getLong(2));
                                return new Recorded(UsageRecord.Outcome.DUPLICATE, counter(c, key, false));
                            }
                        }
                    }
                    Counter before = counter(c, key, true);
                    if (quantity > 0 && before.taken() + quantity > hardLimit) {
                        return new Recorded(UsageRecord.Outcome.REFUSED, before);
                    }
                    requireNotBelowZero(key, quantity, before.used());
                    try (PreparedStatement s = c.prepareStatement(
                            "INSERT INTO tenancy.tenancy_usage_events (tenant_id, idempotency_key, metric, period_start,"
                                    + " quantity, recorded_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                        s.setString(1, key.tenant().value());
                        s.setString(2, idempotencyKey);
                        s.setString(3, key.metric());
                        s.setObject(4, key.periodStart());
                        s.setLong(5, quantity);
                        s.setObject(6, Jdbc.utc(at));
                        s.executeUpdate();
                    }
                    addUsed(c, key, quantity, 1, 0, 0);
                    return new Recorded(UsageRecord.Outcome.COUNTED, counter(c, key, false));
                });
            } catch (StorageException e) {
                if (!Jdbc.isUniqueViolation(e) || attempt == 3) {
                    throw e;
                }
                // the same key raced in from another request: the next attempt reports the duplicate
            }
        }
    }

    static void requireSameUsage(CounterKey key, long quantity, String idempotencyKey, String metric, long counted) {
        if (!metric.equals(key.metric()) || counted != quantity) {
            throw new IllegalArgumentException("Idempotency key '" + idempotencyKey + "' of tenant '" + key.tenant()
                    + "' already counted " + counted + " " + metric + ", not " + quantity + " " + key.metric()
                    + ": use a new key for new usage");
        }
    }

    static void requireNotBelowZero(CounterKey key, long quantity, long used) {
        if (used + quantity < 0) {
            throw new IllegalArgumentException("Releasing " + (-quantity) + " " + key.metric() + " of '" + key.tenant()
                    + "' would take the count below zero (it is " + used + ")");
        }
    }

    /** A node's lease of a counter, and the last change applied to it. */
    private record NodeLease(long amount, String lastOperation, long lastResult) {
        boolean applied(NodeChange change) {
            return change.operation().equals(lastOperation);
        }
    }

    /** The node's lease row, or null; read under the counter's lock. */
    private static NodeLease nodeLease(Connection c, CounterKey key, String nodeId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT amount, last_operation, last_result FROM"
                        + " tenancy.tenancy_usage_leases WHERE tenant_id = ? AND metric = ? AND period_start = ? AND node_id = ?")) {
            bind(s, 1, key);
            s.setString(4, nodeId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? new NodeLease(rs.getLong(1), rs.getString(2), rs.getLong(3)) : null;
            }
        }
    }

    /**
     * Adds {@code delta} to the node's lease row (creating it when missing), records {@code change}
     * as its last operation with {@code result}, and moves its expiry.
     */
    private static void changeNodeLease(
            Connection c, CounterKey key, NodeChange change, NodeLease held, long delta, long result)
            throws SQLException {
        if (held != null) {
            try (PreparedStatement s = c.prepareStatement("UPDATE tenancy.tenancy_usage_leases SET amount = amount + ?,"
                    + " expires_at = ?, last_operation = ?, last_result = ? WHERE tenant_id = ? AND metric = ?"
                    + " AND period_start = ? AND node_id = ?")) {
                s.setLong(1, delta);
                s.setObject(2, Jdbc.utc(change.expiresAt()));
                s.setString(3, change.operation());
                s.setLong(4, result);
                bind(s, 5, key);
                s.setString(8, change.nodeId());
                s.executeUpdate();
            }
            return;
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO tenancy.tenancy_usage_leases (tenant_id, metric,"
                + " period_start, node_id, amount, expires_at, last_operation, last_result)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            bind(s, 1, key);
            s.setString(4, change.nodeId());
            s.setLong(5, Math.max(0, delta));
            s.setObject(6, Jdbc.utc(change.expiresAt()));
            s.setString(7, change.operation());
            s.setLong(8, result);
            s.executeUpdate();
        }
    }

    @Override
    public Lease lease(CounterKey key, NodeChange change, long need, long limit) {
        ensure(key);
        return Jdbc.inTransaction(dataSource, "lease " + key.metric() + " for '" + key.tenant() + "'", c -> {
            Counter row = counter(c, key, true);
            NodeLease held = nodeLease(c, key, change.nodeId());
            long available = limit - row.taken();
            if (held != null && held.applied(change)) {
                return new Lease(held.lastResult(), Math.max(0, available)); // granted before its answer was lost
            }
            long grant = Math.max(0, Math.min(need, available));
            Lease lease = new Lease(grant, Math.max(0, available - grant));
            if (grant == 0) {
                return lease; // nothing changes, so a retry cannot change anything twice
            }
            try (PreparedStatement s =
                    c.prepareStatement("UPDATE tenancy.tenancy_usage_counters SET leased = leased + ?"
                            + " WHERE tenant_id = ? AND metric = ? AND period_start = ?")) {
                s.setLong(1, grant);
                bind(s, 2, key);
                s.executeUpdate();
            }
            changeNodeLease(c, key, change, held, grant, grant);
            return lease;
        });
    }

    @Override
    public Counter flush(CounterKey key, NodeChange change, long quantity, long events, boolean fromLease) {
        ensure(key);
        return Jdbc.inTransaction(dataSource, "flush usage of '" + key.tenant() + "'", c -> {
            Counter row = counter(c, key, true);
            NodeLease held = nodeLease(c, key, change.nodeId());
            if (held != null && held.applied(change)) {
                return row; // flushed before its answer was lost
            }
            long leased = 0;
            long writtenOff = 0;
            if (fromLease) { // out of the node's lease; what it no longer holds was written off meanwhile
                leased = held == null ? 0 : Math.max(0, Math.min(quantity, held.amount()));
                writtenOff = Math.min(quantity - leased, row.writtenOff());
            }
            changeNodeLease(c, key, change, held, -leased, quantity);
            addUsed(c, key, quantity, events, leased, writtenOff);
            long used = row.used() + quantity;
            return new Counter(
                    used,
                    row.leased() - leased,
                    row.writtenOff() - writtenOff,
                    Math.max(row.peak(), used),
                    row.events() + events);
        });
    }

    @Override
    public void returnLease(CounterKey key, NodeChange change, long amount) {
        ensure(key);
        Jdbc.inTransaction(dataSource, "return a lease of '" + key.tenant() + "'", c -> {
            counter(c, key, true);
            NodeLease held = nodeLease(c, key, change.nodeId());
            if (held != null && held.applied(change)) {
                return null; // returned before its answer was lost
            }
            // out of the node's lease; what it no longer holds was written off meanwhile
            long leased = held == null ? 0 : Math.max(0, Math.min(amount, held.amount()));
            try (PreparedStatement s =
                    c.prepareStatement("UPDATE tenancy.tenancy_usage_counters SET leased = leased - ?,"
                            + " written_off = CASE WHEN written_off > ? THEN written_off - ? ELSE 0 END"
                            + " WHERE tenant_id = ? AND metric = ? AND period_start = ?")) {
                s.setLong(1, leased);
                s.setLong(2, amount - leased);
                s.setLong(3, amount - leased);
                bind(s, 4, key);
                s.executeUpdate();
            }
            // The row stays, at 0, with this operation: a retry finds it. It expires once the node stops renewing.
            changeNodeLease(c, key, change, held, -leased, amount);
            return null;
        });
    }

    @Override
    public int renewLeases(String nodeId, Instant expiresAt) {
        return Jdbc.inTransaction(dataSource, "renew the leases of " + nodeId, c -> {
            try (PreparedStatement s =
                    c.prepareStatement("UPDATE tenancy.tenancy_usage_leases SET expires_at = ? WHERE node_id = ?")) {
                s.setObject(1, Jdbc.utc(expiresAt));
                s.setString(2, nodeId);
                return s.executeUpdate();
            }
        });
    }

    @Override
    public List<WrittenOff> writeOffExpiredLeases(Instant now) {
        record Expired(CounterKey key, String node) {}
        List<Expired> expired = Jdbc.read(dataSource, "find expired leases", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT tenant_id, metric, period_start, node_id FROM"
                    + " tenancy.tenancy_usage_leases WHERE expires_at < ?")) {
                s.setObject(1, Jdbc.utc(now));
                List<Expired> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Expired(
                                new CounterKey(
                                        TenantId.of(rs.getString(1)),
                                        rs.getString(2),
                                        rs.getObject(3, LocalDate.class)),
                                rs.getString(4)));
                    }
                }
                return out;
            }
        });
        List<WrittenOff> out = new ArrayList<>();
        for (Expired e : expired) {
            WrittenOff w = Jdbc.inTransaction(dataSource, "write off an expired lease", c -> {
                counter(c, e.key(), true);
                long amount;
                try (PreparedStatement s = c.prepareStatement("SELECT amount FROM tenancy.tenancy_usage_leases WHERE"
                        + " tenant_id = ? AND metric = ? AND period_start = ? AND node_id = ? AND expires_at < ?")) {
                    bind(s, 1, e.key());
                    s.setString(4, e.node());
                    s.setObject(5, Jdbc.utc(now));
                    try (ResultSet rs = s.executeQuery()) {
                        if (!rs.next()) {
                            return null; // renewed or returned meanwhile
                        }
                        amount = rs.getLong(1);
                    }
                }
                if (amount <= 0) { // what a node left after returning everything: nothing to write off
                    try (PreparedStatement s = c.prepareStatement("DELETE FROM tenancy.tenancy_usage_leases WHERE"
                            + " tenant_id = ? AND metric = ? AND period_start = ? AND node_id = ?")) {
                        bind(s, 1, e.key());
                        s.setString(4, e.node());
                        s.executeUpdate();
                    }
                    return null;
                }
                try (PreparedStatement s = c.prepareStatement(
                        "UPDATE tenancy.tenancy_usage_counters SET leased = leased - ?,"
                                + " written_off = written_off + ? WHERE tenant_id = ? AND metric = ? AND period_start = ?")) {
                    s.setLong(1, amount);
                    s.setLong(2, amount);
                    bind(s, 3, e.key());
                    s.executeUpdate();
                }
                try (PreparedStatement s =
                        c.prepareStatement("DELETE FROM tenancy.tenancy_usage_leases WHERE tenant_id = ?"
                                + " AND metric = ? AND period_start = ? AND node_id = ?")) {
                    bind(s, 1, e.key());
                    s.setString(4, e.node());
                    s.executeUpdate();
                }
                return new WrittenOff(e.key(), e.node(), amount);
            });
            if (w != null) {
                out.add(w);
            }
        }
        return out;
    }

    @Override
    public List<UsagePeriod> history(TenantId tenant, String metric) {
        return Jdbc.read(dataSource, "read usage history of '" + tenant + "'", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT period_start, used, peak, events FROM"
                            + " tenancy.tenancy_usage_counters WHERE tenant_id = ? AND metric = ? ORDER BY period_start DESC")) {
                s.setString(1, tenant.value());
                s.setString(2, metric);
                List<UsagePeriod> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(new UsagePeriod(
                                metric, rs.getObject(1, LocalDate.class), rs.getLong(2), rs.getLong(3), rs.getLong(4)));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public List<PeriodUsage> periods(LocalDate fromInclusive, LocalDate toExclusive) {
        return Jdbc.read(dataSource, "read usage counters", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT tenant_id, metric, period_start, used FROM"
                    + " tenancy.tenancy_usage_counters WHERE period_start >= ? AND period_start < ?")) {
                s.setObject(1, fromInclusive);
                s.setObject(2, toExclusive);
                List<PeriodUsage> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(new PeriodUsage(
                                TenantId.of(rs.getString(1)),
                                rs.getString(2),
                                rs.getObject(3, LocalDate.class),
                                rs.getLong(4)));
                    }
                }
                return out;
            }
        });
    }

    /** The counter row (locked when {@code lock}); {@link Counter#ZERO} when missing and not locked. */
    private static Counter counter(Connection c, CounterKey key, boolean lock) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT used, leased, written_off, peak, events FROM"
                + " tenancy.tenancy_usage_counters WHERE tenant_id = ? AND metric = ? AND period_start = ?"
                + (lock ? " FOR UPDATE" : ""))) {
            bind(s, 1, key);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    if (lock) {
                        throw new SQLException(
                                "The usage counter of " + key.metric() + " for '" + key.tenant() + "' disappeared");
                    }
                    return Counter.ZERO;
                }
                return new Counter(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
            }
        }
    }

    private static void addUsed(
            Connection c, CounterKey key, long quantity, long events, long fromLease, long fromWrittenOff)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE tenancy.tenancy_usage_counters SET used = used + ?,"
                + " leased = leased - ?, written_off = written_off - ?, events = events + ?,"
                + " peak = CASE WHEN used + ? > peak THEN used + ? ELSE peak END"
                + " WHERE tenant_id = ? AND metric = ? AND period_start = ?")) {
            s.setLong(1, quantity);
            s.setLong(2, fromLease);
            s.setLong(3, fromWrittenOff);
            s.setLong(4, events);
            s.setLong(5, quantity);
            s.setLong(6, quantity);
            bind(s, 7, key);
            s.executeUpdate();
        }
    }

    private static void bind(PreparedStatement s, int first, CounterKey key) throws SQLException {
        s.setString(first, key.tenant().value());
        s.setString(first + 1, key.metric());
        s.setObject(first + 2, key.periodStart());
    }
}
