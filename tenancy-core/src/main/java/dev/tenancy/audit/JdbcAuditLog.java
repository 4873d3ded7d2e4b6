package dev.tenancy.audit;

import dev.tenancy.Page;
import dev.tenancy.TenantId;
import dev.tenancy.internal.ControlPlaneSchema;
import dev.tenancy.internal.Jdbc;
import dev.tenancy.internal.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The audit log in the platform database (PostgreSQL or H2), table {@code tenancy.tenancy_audit_events}.
 *
 * <p>Tamper evidence against whoever can write the platform database: the chain is keyed with a
 * secret the database does not hold ({@link Builder#chainKey}), its head is checkpointed outside
 * the database ({@link Builder#checkpoints}, {@link #checkpoint()}) so that events cut off the end are
 * noticed, and on PostgreSQL triggers refuse UPDATE, DELETE and TRUNCATE of events for every role
 * until the table's owner drops them.
 *
 * <p>Appends lock the one-row chain head ({@code tenancy.tenancy_audit_head}) for the length of their
 * transaction, so the chain stays linear across threads and nodes. {@link #append(Connection,
 * AuditEntry)} appends inside the caller's transaction, so a change and its audit event commit or
 * roll back together.
 *
 * <pre>{@code
 * AuditLog audit = JdbcAuditLog.builder(dataSource).build();
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class JdbcAuditLog implements AuditLog {
    private static final String COLUMNS =
            "seq, action, entity_type, entity_id, tenant_id, actor_id, actor_role, created_at, metadata, prev_hash, hash";

    private final DataSource dataSource;
    private final InstantSource clock;
    private final byte[] chainKey;
    private final AuditCheckpoints checkpoints;

    private JdbcAuditLog(Builder builder) {
        this.dataSource = builder.dataSource;
        this.clock = builder.clock;
        this.chainKey = builder.chainKey;
        this.checkpoints = builder.checkpoints;
        if (builder.installSchema) {
            ControlPlaneSchema.install(dataSource);
            Jdbc.inTransaction(dataSource, "make the audit log append-only", c -> {
                installAppendOnly(c);
                return null;
            });
        }
    }

    /** The trigger that refuses UPDATE, DELETE and TRUNCATE of events (PostgreSQL), installed once. */
    static final String APPEND_ONLY_TRIGGER = "tenancy_audit_events_append_only";

    /**
     * Makes the events table append-only on PostgreSQL for every role, its owner included, until the
     * owner drops or disables the trigger: row triggers refuse UPDATE and DELETE, a statement trigger
     * TRUNCATE, each with SQLSTATE 42501. Idempotent; nodes starting together serialize on the head.
     */
    private static void installAppendOnly(Connection c) throws SQLException {
        if (!"PostgreSQL".equals(c.getMetaData().getDatabaseProductName())) {
            return;
        }
        try (PreparedStatement present = c.prepareStatement("SELECT count(*) FROM pg_trigger t"
                + " JOIN pg_class r ON r.oid = t.tgrelid JOIN pg_namespace n ON n.oid = r.relnamespace"
                + " WHERE n.nspname = 'tenancy' AND r.relname = 'tenancy_audit_events' AND t.tgname LIKE ?")) {
            present.setString(1, APPEND_ONLY_TRIGGER + "%");
            try (ResultSet rs = present.executeQuery()) {
                rs.next();
                if (rs.getInt(1) == 2) {
                    return;
                }
            }
        }
        try (java.sql.Statement s = c.createStatement()) {
            s.execute("LOCK TABLE tenancy.tenancy_audit_head IN EXCLUSIVE MODE");
            s.execute("CREATE OR REPLACE FUNCTION tenancy.tenancy_audit_append_only() RETURNS trigger"
                    + " LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'The audit log is append-only: % of %.% is"
                    + " refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = '42501'; END $$");
            s.execute(
                    "CREATE OR REPLACE TRIGGER " + APPEND_ONLY_TRIGGER + " BEFORE UPDATE OR DELETE ON"
                            + " tenancy.tenancy_audit_events FOR EACH ROW EXECUTE FUNCTION tenancy.tenancy_audit_append_only()");
            s.execute("CREATE OR REPLACE TRIGGER " + APPEND_ONLY_TRIGGER + "_truncate BEFORE TRUNCATE ON"
                    + " tenancy.tenancy_audit_events FOR EACH STATEMENT EXECUTE FUNCTION"
                    + " tenancy.tenancy_audit_append_only()");
            s.execute("REVOKE UPDATE, DELETE, TRUNCATE ON tenancy.tenancy_audit_events FROM PUBLIC");
        }
    }

    /**
     * Records the chain's committed head with the {@linkplain Builder#checkpoints checkpoints}, outside
     * the database; run it on a schedule (the Spring starter does, every {@code
     * tenancy.audit.checkpoint-interval}). Events appended after the last checkpoint can be cut off
     * the end unnoticed by whoever can write the table; the interval bounds that window.
     *
     * @throws IllegalStateException when the log has no checkpoints configured
     */
    public AuditCheckpoint checkpoint() {
        if (checkpoints == null) {
            throw new IllegalStateException(
                    "This audit log keeps no checkpoints: build it with checkpoints(AuditCheckpoints.file(path))");
        }
        AuditCheckpoint head = Jdbc.read(dataSource, "read the audit chain's head", c -> {
            try (PreparedStatement s = c.prepareStatement(
                            "SELECT last_seq, last_hash FROM tenancy.tenancy_audit_head WHERE id = 1");
                    ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException(
                            "tenancy.tenancy_audit_head has no row: the audit tables were altered by hand");
                }
                return new AuditCheckpoint(rs.getLong(1), rs.getString(2), clock.instant());
            }
        });
        checkpoints.record(head);
        return head;
    }

    /** A builder over the platform database. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /** The platform database this log writes to. */
    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public AuditEvent append(AuditEntry entry) {
        Objects.requireNonNull(entry, "entry");
        return Jdbc.inTransaction(dataSource, "append to the audit log", c -> append(c, entry));
    }

    /**
     * Appends {@code entry} within the transaction open on {@code connection}, so that it commits or
     * rolls back with the caller's change. The chain head stays locked until that transaction ends.
     * With auto-commit on, the append commits at once.
     */
    public AuditEvent append(Connection connection, AuditEntry entry) throws SQLException {
        Objects.requireNonNull(entry, "entry");
        long lastSeq;
        String lastHash;
        try (PreparedStatement head = connection.prepareStatement(
                "SELECT last_seq, last_hash FROM tenancy.tenancy_audit_head WHERE id = 1 FOR UPDATE")) {
            try (ResultSet rs = head.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException(
                            "tenancy.tenancy_audit_head has no row: the audit tables were altered by hand");
                }
                lastSeq = rs.getLong(1);
                lastHash = rs.getString(2);
            }
        }
        AuditEvent event = AuditChain.seal(chainKey, entry, lastSeq + 1, lastHash, clock.instant());
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO tenancy.tenancy_audit_events ("
                + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setLong(1, event.sequence());
            insert.setString(2, event.action());
            insert.setString(3, event.entityType());
            insert.setString(4, event.entityId());
            insert.setString(
                    5, event.tenantId() == null ? null : event.tenantId().value());
            insert.setString(6, event.actorId());
            insert.setString(7, event.actorRole());
            insert.setObject(8, Jdbc.utc(event.createdAt()));
            insert.setString(9, Json.write(event.metadata()));
            insert.setString(10, event.previousHash());
            insert.setString(11, event.hash());
            insert.executeUpdate();
        }
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE tenancy.tenancy_audit_head SET last_seq = ?, last_hash = ? WHERE id = 1")) {
            update.setLong(1, event.sequence());
            update.setString(2, event.hash());
            update.executeUpdate();
        }
        return event;
    }

    @Override
    public Page<AuditEvent> query(AuditQuery q) {
        Objects.requireNonNull(q, "query");
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (q.action() != null) {
            where.append(" AND action = ?");
            params.add(q.action());
        }
        if (q.entityType() != null) {
            where.append(" AND entity_type = ?");
            params.add(q.entityType());
        }
        if (q.tenantId() != null) {
            where.append(" AND tenant_id = ?");
            params.add(q.tenantId().value());
        }
        if (q.actorRole() != null) {
            where.append(" AND actor_role = ?");
            params.add(q.actorRole());
        }
        if (q.from() != null) {
            where.append(" AND created_at >= ?");
            params.add(Jdbc.utc(q.from()));
        }
        if (q.to() != null) {
            where.append(" AND created_at < ?");
            params.add(Jdbc.utc(q.to()));
        }
        if (q.text() != null) {
            where.append(" AND LOWER(metadata) LIKE ? ESCAPE '\\'");
            params.add(Jdbc.containsPattern(q.text()));
        }
        return Jdbc.read(
                dataSource,
                "query the audit log",
                c -> Jdbc.page(
                        c,
                        COLUMNS,
                        "tenancy.tenancy_audit_events",
                        where.toString(),
                        params,
                        " ORDER BY seq DESC",
                        q.offset(),
                        q.limit(),
                        JdbcAuditLog::read));
    }

    @Override
    public AuditVerification verify() {
        java.util.NavigableMap<Long, AuditCheckpoint> kept = new java.util.TreeMap<>();
        if (checkpoints != null) {
            for (AuditCheckpoint checkpoint : checkpoints.recorded()) {
                kept.put(checkpoint.sequence(), checkpoint);
            }
        }
        return Jdbc.read(dataSource, "verify the audit log", c -> {
            String previous = AuditEvent.GENESIS_HASH;
            long expected = 1;
            long checked = 0;
            while (true) {
                int batch = 0;
                try (PreparedStatement select = c.prepareStatement(
                        "SELECT " + COLUMNS
                                + " FROM tenancy.tenancy_audit_events WHERE seq >= ? ORDER BY seq OFFSET 0 ROWS FETCH NEXT 1000 ROWS ONLY")) {
                    select.setLong(1, expected);
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            batch++;
                            long seq = rs.getLong("seq");
                            if (seq != expected) {
                                return AuditVerification.broken(
                                        checked,
                                        expected,
                                        "event " + expected + " is missing (the next stored event is " + seq + ")");
                            }
                            Instant createdAt = Jdbc.instant(rs, "created_at");
                            String hash = AuditChain.hash(
                                    chainKey,
                                    seq,
                                    rs.getString("prev_hash"),
                                    rs.getString("action"),
                                    rs.getString("entity_type"),
                                    rs.getString("entity_id"),
                                    rs.getString("tenant_id"),
                                    rs.getString("actor_id"),
                                    rs.getString("actor_role"),
                                    createdAt,
                                    rs.getString("metadata"));
                            checked++;
                            if (!previous.equals(rs.getString("prev_hash"))) {
                                return AuditVerification.broken(
                                        checked, seq, "previous hash does not match the event before");
                            }
                            if (!hash.equals(rs.getString("hash"))) {
                                return AuditVerification.broken(
                                        checked,
                                        seq,
                                        chainKey == null
                                                ? "content does not match its hash"
                                                : "content does not match its hash under the chain key");
                            }
                            AuditCheckpoint checkpoint = kept.get(seq);
                            if (checkpoint != null && !checkpoint.hash().equals(hash)) {
                                return AuditVerification.broken(
                                        checked,
                                        seq,
                                        "event " + seq + " is not the one the checkpoint taken at "
                                                + checkpoint.takenAt() + " recorded: the log was rewritten from there");
                            }
                            previous = hash;
                            expected++;
                        }
                    }
                }
                if (batch == 0) {
                    break;
                }
            }
            if (!kept.isEmpty() && kept.lastKey() > expected - 1) {
                AuditCheckpoint last = kept.lastEntry().getValue();
                return AuditVerification.broken(
                        checked,
                        expected,
                        "the log ends at event " + (expected - 1) + " but the checkpoint taken at " + last.takenAt()
                                + " records event " + last.sequence() + ": events were removed from the end");
            }
            try (PreparedStatement head = c.prepareStatement(
                            "SELECT last_seq, last_hash FROM tenancy.tenancy_audit_head WHERE id = 1");
                    ResultSet rs = head.executeQuery()) {
                if (!rs.next()) {
                    return AuditVerification.broken(checked, expected, "the chain head row is missing");
                }
                long lastSeq = rs.getLong(1);
                if (lastSeq != expected - 1 || !previous.equals(rs.getString(2))) {
                    return AuditVerification.broken(
                            checked,
                            Math.min(expected, lastSeq),
                            "the log ends at event "
                                    + (expected - 1) + " but its head records event " + lastSeq
                                    + ": events were removed from the end");
                }
            }
            return AuditVerification.ok(checked);
        });
    }

    private static AuditEvent read(ResultSet rs) throws SQLException {
        String tenant = rs.getString("tenant_id");
        return new AuditEvent(
                rs.getLong("seq"),
                rs.getString("action"),
                rs.getString("entity_type"),
                rs.getString("entity_id"),
                tenant == null ? null : TenantId.of(tenant),
                rs.getString("actor_id"),
                rs.getString("actor_role"),
                Jdbc.instant(rs, "created_at"),
                Json.readMap(rs.getString("metadata")),
                rs.getString("prev_hash"),
                rs.getString("hash"));
    }

    /** Builds a {@link JdbcAuditLog}. */
    public static final class Builder {
        private final DataSource dataSource;
        private InstantSource clock = InstantSource.system();
        private boolean installSchema = true;
        private byte[] chainKey;
        private AuditCheckpoints checkpoints;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** The clock that times events; the system clock by default. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Whether {@link #build()} installs or upgrades the control-plane tables; on by default. */
        public Builder installSchema(boolean installSchema) {
            this.installSchema = installSchema;
            return this;
        }

        /**
         * Chains events with HMAC-SHA256 under {@code key} (at least 32 bytes, the same on every node,
         * kept outside the database) instead of plain SHA-256: whoever can write the events table
         * but does not hold the key cannot change an event and recompute the chain after it. Every
         * event of the log must be chained with it; a log begun without a key verifies without one.
         */
        public Builder chainKey(byte[] key) {
            Objects.requireNonNull(key, "key");
            if (key.length < 32) {
                throw new IllegalArgumentException("An audit chain key needs at least 32 bytes, got " + key.length);
            }
            this.chainKey = key.clone();
            return this;
        }

        /**
         * Where {@link JdbcAuditLog#checkpoint()} keeps the chain's head outside the database, and
         * {@link JdbcAuditLog#verify()} reads it back; none by default.
         */
        public Builder checkpoints(AuditCheckpoints checkpoints) {
            this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
            return this;
        }

        public JdbcAuditLog build() {
            return new JdbcAuditLog(this);
        }
    }
}
