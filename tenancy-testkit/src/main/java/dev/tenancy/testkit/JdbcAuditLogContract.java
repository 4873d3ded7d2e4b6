package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.audit.AuditEntry;
import dev.tenancy.audit.AuditQuery;
import dev.tenancy.audit.AuditVerification;
import dev.tenancy.audit.JdbcAuditLog;
import java.sql.Connection;
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
            database.execute(
                    "UPDATE tenancy_audit_events SET metadata = '{\"i\":3,\"note\":\"nothing happened\"}' WHERE seq = 3");

            AuditVerification v = log.verify();
            assertThat(v.intact()).isFalse();
            assertThat(v.firstBrokenSequence()).hasValue(3);
            assertThat(v.problem()).contains("content");
        }

        @Test
        @DisplayName("an actor changed by hand is found at its row")
        void verify_findsChangedActor() {
            appendFive();
            database.execute("UPDATE tenancy_audit_events SET actor_id = 'someone-else' WHERE seq = 2");
            assertThat(log.verify().firstBrokenSequence()).hasValue(2);
        }

        @Test
        @DisplayName("a row removed from the middle is found")
        void verify_findsRemovedRow() {
            appendFive();
            database.execute("DELETE FROM tenancy_audit_events WHERE seq = 2");
            AuditVerification v = log.verify();
            assertThat(v.intact()).isFalse();
            assertThat(v.firstBrokenSequence()).hasValue(2);
            assertThat(v.problem()).contains("missing");
        }

        @Test
        @DisplayName("rows cut off the end are found through the chain head")
        void verify_findsTruncatedEnd() {
            appendFive();
            database.execute("DELETE FROM tenancy_audit_events WHERE seq >= 4");
            AuditVerification v = log.verify();
            assertThat(v.intact()).isFalse();
            assertThat(v.problem()).contains("removed from the end");
        }

        @Test
        @DisplayName("two rows swapped (renumbered) are found")
        void verify_findsReorderedRows() {
            appendFive();
            database.execute("UPDATE tenancy_audit_events SET seq = 100 WHERE seq = 2");
            database.execute("UPDATE tenancy_audit_events SET seq = 2 WHERE seq = 3");
            database.execute("UPDATE tenancy_audit_events SET seq = 3 WHERE seq = 100");
            AuditVerification v = log.verify();
            assertThat(v.intact()).isFalse();
            assertThat(v.firstBrokenSequence()).hasValue(2);
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
