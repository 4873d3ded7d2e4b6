package dev.tenancy.access;

import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditEntry;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where {@link Impersonations} keeps its sessions: in memory, or in the platform database. Each
 * change runs {@link #atomically}: the session and its audit events are recorded together or not
 * at all (on JDBC in one transaction, with the events in it when the audit log shares the
 * database, else appended right after the commit).
 */
interface ImpersonationStore {

    <T> T atomically(String what, Work<T> work);

    Optional<Impersonation> find(String id);

    /** Sessions not ended (some may have expired), oldest first. */
    List<Impersonation> open();

    /** The tenant's sessions, newest first, at most {@code limit}. */
    List<Impersonation> ofTenant(TenantId tenant, int limit);

    @FunctionalInterface
    interface Work<T> {
        T apply(Changes changes) throws SQLException;
    }

    /** What one atomic change may read and write. */
    interface Changes {
        /** The session, locked until the change ends. */
        Optional<Impersonation> lock(String id) throws SQLException;

        /** The actor's session that has not ended, if any, locked. */
        Optional<Impersonation> openOf(String actorId) throws SQLException;

        /** Sessions not ended whose expiry is at or before {@code now}, locked. */
        List<Impersonation> expiredBy(Instant now) throws SQLException;

        /** Records a new, open session; refused by the database when its impersonator has one open. */
        void insert(Impersonation session) throws SQLException;

        /** Records that {@code ended} (with its end time and actor) has ended. */
        void end(Impersonation ended) throws SQLException;

        void audit(AuditEntry entry) throws SQLException;
    }
}
