package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.audit.AuditCheckpoint;
import dev.tenancy.audit.AuditCheckpoints;
import dev.tenancy.audit.AuditEntry;
import dev.tenancy.audit.AuditQuery;
import dev.tenancy.audit.AuditVerification;
import dev.tenancy.audit.JdbcAuditLog;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * {@link AuditLogContract} for {@link JdbcAuditLog} on one database, plus what only a database can
 * show: rows changed by hand are found by {@code verify}, and appends share the caller's transaction.
 */
public abstract class JdbcAuditLogContract extends AuditLogContract {

    /** The database engine to run on. */
    protected abstract TestDatabase.Kind kind();

    private TestDatabase database;

    @Override
    protected JdbcAuditLog newAuditLog(MutableClock clock) {
        database = TestDatabase.of(kind());
        return JdbcAuditLog.builder(database.dataSource()).clock(clock).build();
    }

    @AfterEach
    void dropDatabase() {
        if (database != null) {
            database.close();
        }
    }

    /**
     * Runs {@code sql} as the events table's owner would, past the append-only triggers (PostgreSQL):
     * what a superuser or the platform's own role can do, and tamper evidence must still catch.
     */
    private void tamper(String sql) {
        if (database.kind() == TestDatabase.Kind.POSTGRESQL) {
            database.execute("BEGIN; ALTER TABLE tenancy.tenancy_audit_events DISABLE TRIGGER USER; " + sql
                    + "; ALTER TABLE tenancy.tenancy_audit_events ENABLE TRIGGER USER; COMMIT");
        } else {
            database.execute(sql);
        }
    }

    private void appendFive() {
        for (int i = 1; i <= 5; i++) {
            append("update", ACME, ADMIN, Map.of("i", i, "note", "step " + i));
        }
    }

    @Nested
    @DisplayName("tamper evidence")
    class TamperEvidence {
        @Test
        @DisplayName("metadata changed by hand is found at its row")
        void verify_findsChangedMetadata() {
            appendFive();
            tamper(
                    "UPDATE tenancy.tenancy_audit_events SET metadata = '{\"i\":3,\"note\":\"nothing happened\"}' WHERE seq = 3");

            AuditVerification v = log.verify();
            assertThat(v.intact()).isFalse();
            assertThat(v.firstBrokenSequence()).hasValue(3);
            assertThat(v.problem()).contains("content");
        }

        @Test
        @DisplayName("an actor changed by hand is found at its row")
        void verify_findsChangedActor() {
            appendFive();
            tamper("UPDATE tenancy.tenancy_audit_events SET actor_id = 'someone-else' WHERE seq = 2");
            assertThat(log.verify().firstBrokenSequence()).hasValue(2);
        }

        @Test
        @DisplayName("a row removed from the middle is found")
        void verify_findsRemovedRow() {
            appendFive();
            tamper("DELETE FROM tenancy.tenancy_audit_events WHERE seq = 2");
            AuditVerification v = log.verify();
            assertThat(v.intact()).isFalse();
            assertThat(v.firstBrokenSequence()).hasValue(2);
            assertThat(v.problem()).contains("missing");
        }

        @Test
        @DisplayName("rows cut off the end are found through the chain head")
        void verify_findsTruncatedEnd() {
            appendFive();
            tamper("DELETE FROM tenancy.tenancy_audit_events WHERE seq >= 4");
            AuditVerification v = log.verify();
            assertThat(v.intact()).isFalse();
            assertThat(v.problem()).contains("removed from the end");
        }

        @Test
        @DisplayName("two rows swapped (renumbered) are found")
        void verify_findsReorderedRows() {
            appendFive();
            tamper("UPDATE tenancy.tenancy_audit_events SET seq = 100 WHERE seq = 2");
            tamper("UPDATE tenancy.tenancy_audit_events SET seq = 2 WHERE seq = 3");
            tamper("UPDATE tenancy.tenancy_audit_events SET seq = 3 WHERE seq = 100");
            AuditVerification v = log.verify();
            assertThat(v.intact()).isFalse();
            assertThat(v.firstBrokenSequence()).hasValue(2);
        }
    }

    private static final byte[] CHAIN_KEY = "a chain key the database never sees!".getBytes(StandardCharsets.UTF_8);

    /** A keyed, checkpointed log over the same database, the way a deployment runs it. */
    private JdbcAuditLog keyed(AuditCheckpoints checkpoints) {
        return JdbcAuditLog.builder(database.dataSource())
                .clock(clock)
                .chainKey(CHAIN_KEY)
                .checkpoints(checkpoints)
                .build();
    }

    /** The hash a writer without the key computes for a row: the unkeyed chain's, SHA-256. */
    private static String unkeyedHash(
            long seq,
            String prev,
            String action,
            String type,
            String id,
            String tenant,
            String actor,
            String role,
            long millis,
            String metadataJson)
            throws Exception {
        Object metadata = dev.tenancy.internal.Json.readMap(metadataJson);
        String canonical = dev.tenancy.internal.Json.write(
                java.util.Arrays.asList(seq, prev, action, type, id, tenant, actor, role, millis, metadata));
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8)));
    }

    @Nested
    @DisplayName("against a writer of the platform database")
    class AgainstADatabaseWriter {
        @Test
        @DisplayName("events cannot be updated, deleted or truncated, by any role the triggers bind (PostgreSQL)")
        void theEventsTable_isAppendOnly() {
            org.junit.jupiter.api.Assumptions.assumeTrue(database.kind() == TestDatabase.Kind.POSTGRESQL);
            appendFive();
            for (String sql : List.of(
                    "UPDATE tenancy.tenancy_audit_events SET actor_id = 'x' WHERE seq = 2",
                    "DELETE FROM tenancy.tenancy_audit_events WHERE seq = 5",
                    "TRUNCATE tenancy.tenancy_audit_events")) {
                assertThatThrownBy(() -> database.execute(sql)).as(sql).hasMessageContaining("append-only");
            }
            assertThat(log.verify().intact()).isTrue();
            assertThat(log.verify().eventsChecked()).isEqualTo(5);
        }

        @Test
        @DisplayName("a middle event rewritten with the chain recomputed without the key is named by verify")
        void aRewrittenChain_withoutTheKey_isFound() throws Exception {
            JdbcAuditLog audit = keyed(AuditCheckpoints.inMemory());
            for (int i = 1; i <= 5; i++) {
                audit.append(AuditEntry.of("update", "tenant", "acme", ACME, ADMIN, Map.of("i", i)));
            }
            assertThat(audit.verify().intact()).isTrue();
            // The forger rewrites event 3 and recomputes 3..5 and the head the only way it can: unkeyed.
            String prev;
            try (Connection c = database.dataSource().getConnection();
                    java.sql.Statement st = c.createStatement();
                    java.sql.ResultSet rs =
                            st.executeQuery("SELECT hash FROM tenancy.tenancy_audit_events WHERE seq = 2")) {
                rs.next();
                prev = rs.getString(1);
            }
            StringBuilder sql = new StringBuilder();
            for (int seq = 3; seq <= 5; seq++) {
                String metadata = seq == 3 ? "{\"i\":30}" : "{\"i\":" + seq + "}";
                long millis;
                try (Connection c = database.dataSource().getConnection();
                        java.sql.PreparedStatement ps = c.prepareStatement(
                                "SELECT created_at FROM tenancy.tenancy_audit_events WHERE seq = ?")) {
                    ps.setLong(1, seq);
                    try (java.sql.ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        millis = rs.getObject(1, java.time.OffsetDateTime.class)
                                .toInstant()
                                .toEpochMilli();
                    }
                }
                String hash = unkeyedHash(
                        seq, prev, "update", "tenant", "acme", "acme", ADMIN.id(), ADMIN.role(), millis, metadata);
                sql.append("UPDATE tenancy.tenancy_audit_events SET metadata = '")
                        .append(metadata)
                        .append("', prev_hash = '")
                        .append(prev)
                        .append("', hash = '")
                        .append(hash)
                        .append("' WHERE seq = ")
                        .append(seq)
                        .append("; ");
                prev = hash;
            }
            sql.append("UPDATE tenancy.tenancy_audit_head SET last_hash = '")
                    .append(prev)
                    .append("' WHERE id = 1");
            tamper(sql.toString());

            AuditVerification v = audit.verify();
            assertThat(v.intact()).isFalse();
            assertThat(v.firstBrokenSequence()).hasValue(3);
            assertThat(v.problem()).contains("under the chain key");
        }

        @Test
        @DisplayName("the tail cut off with the head rewound is named by verify through the checkpoint")
        void aCutTail_withTheHeadRewound_isFoundThroughTheCheckpoint() {
            AuditCheckpoints checkpoints = AuditCheckpoints.inMemory();
            JdbcAuditLog audit = keyed(checkpoints);
            for (int i = 1; i <= 19; i++) {
                audit.append(AuditEntry.of("update", "tenant", "acme", ACME, ADMIN, Map.of("i", i)));
            }
            AuditCheckpoint taken = audit.checkpoint();
            assertThat(taken.sequence()).isEqualTo(19);
            tamper("DELETE FROM tenancy.tenancy_audit_events WHERE seq = 19; UPDATE tenancy.tenancy_audit_head"
                    + " SET last_seq = 18, last_hash = (SELECT hash FROM tenancy.tenancy_audit_events WHERE seq = 18)"
                    + " WHERE id = 1");
            assertThat(JdbcAuditLog.builder(database.dataSource())
                            .chainKey(CHAIN_KEY)
                            .build()
                            .verify()
                            .intact())
                    .as("without the checkpoint, the shorter chain is consistent")
                    .isTrue();

            AuditVerification v = audit.verify();
            assertThat(v.intact()).isFalse();
            assertThat(v.eventsChecked()).isEqualTo(18);
            assertThat(v.problem()).contains("ends at event 18", "records event 19", "removed from the end");
        }

        @Test
        @DisplayName("a truncated table with the head reset is named by verify through the checkpoint")
        void aTruncatedTable_isFoundThroughTheCheckpoint() {
            AuditCheckpoints checkpoints = AuditCheckpoints.inMemory();
            JdbcAuditLog audit = keyed(checkpoints);
            for (int i = 1; i <= 3; i++) {
                audit.append(AuditEntry.of("update", "tenant", "acme", ACME, ADMIN, Map.of("i", i)));
            }
            audit.checkpoint();
            tamper("DELETE FROM tenancy.tenancy_audit_events; UPDATE tenancy.tenancy_audit_head SET last_seq = 0,"
                    + " last_hash = '" + dev.tenancy.audit.AuditEvent.GENESIS_HASH + "' WHERE id = 1");
            AuditVerification v = audit.verify();
            assertThat(v.intact()).isFalse();
            assertThat(v.problem()).contains("ends at event 0", "records event 3");
        }

        @Test
        @DisplayName("checkpoints kept in a file survive the process and are read back by verify")
        void fileCheckpoints_areReadBack(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
            java.nio.file.Path file = dir.resolve("audit-checkpoints.log");
            JdbcAuditLog audit = keyed(AuditCheckpoints.file(file));
            audit.append(AuditEntry.of("update", "tenant", "acme", ACME, ADMIN, Map.of("i", 1)));
            audit.checkpoint();
            audit.append(AuditEntry.of("update", "tenant", "acme", ACME, ADMIN, Map.of("i", 2)));
            audit.checkpoint();
            assertThat(AuditCheckpoints.file(file).recorded())
                    .extracting(AuditCheckpoint::sequence)
                    .containsExactly(1L, 2L);
            tamper("DELETE FROM tenancy.tenancy_audit_events WHERE seq = 2; UPDATE tenancy.tenancy_audit_head"
                    + " SET last_seq = 1, last_hash = (SELECT hash FROM tenancy.tenancy_audit_events WHERE seq = 1)"
                    + " WHERE id = 1");
            assertThat(keyed(AuditCheckpoints.file(file)).verify().problem()).contains("records event 2");
        }
    }

    @Nested
    @DisplayName("transactions")
    class Transactions {
        @Test
        @DisplayName("an append in the caller's transaction disappears when it rolls back, and the chain stays whole")
        void append_inRolledBackTransaction_leavesNothing() throws Exception {
            JdbcAuditLog jdbc = (JdbcAuditLog) log;
            append("create", ACME, ADMIN, Map.of());
            try (Connection c = database.dataSource().getConnection()) {
                c.setAutoCommit(false);
                jdbc.append(c, AuditEntry.of("update", "tenant", "acme", ACME, ADMIN, Map.of("n", 1)));
                c.rollback();
            }
            append("update", ACME, ADMIN, Map.of("n", 2));

            assertThat(log.query(AuditQuery.all()).items())
                    .extracting(e -> e.sequence())
                    .containsExactly(2L, 1L);
            assertThat(log.verify().intact()).isTrue();
        }

        @Test
        @DisplayName("invalid entries are refused before anything is written")
        void append_invalidEntry_isRefused() {
            assertThatThrownBy(() -> AuditEntry.of("Drop Table", "tenant", "x", ACME, ADMIN, Map.of()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Drop Table");
            assertThat(log.query(AuditQuery.all()).total()).isZero();
        }
    }
}
