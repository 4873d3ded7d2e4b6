package dev.tenancy.access;

import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditEntry;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where {@link Invitations} keeps invitations: in memory, or in the platform database. Each change
 * runs {@link #atomically}: the invitation and its audit event are recorded together or not at all.
 */
interface InvitationStore {

    <T> T atomically(String what, Work<T> work);

    Optional<Invitation> find(String id);

    /** The tenant's invitations, newest first, at most {@code limit}. */
    List<Invitation> ofTenant(TenantId tenant, int limit);

    @FunctionalInterface
    interface Work<T> {
        T apply(Changes changes) throws SQLException;
    }

    /** What one atomic change may read and write; what it reads stays locked until it ends. */
    interface Changes {
        Optional<Invitation> lock(String id) throws SQLException;

        Optional<Invitation> lockByToken(String tokenHash) throws SQLException;

        /** The tenant's invitation to {@code email} that is still recorded as pending, if any. */
        Optional<Invitation> lockPending(TenantId tenant, String email) throws SQLException;

        /** Records a new pending invitation; a second pending one for its address and tenant is refused (23505). */
        void insert(Invitation invitation, String tokenHash) throws SQLException;

        /** Records the invitation's new state, and a new token hash when {@code tokenHash} is not null. */
        void update(Invitation invitation, String tokenHash) throws SQLException;

        /** When each of the tenant's invitations last sent (or resent) after {@code since} was sent, oldest first. */
        List<Instant> sentAfter(TenantId tenant, Instant since) throws SQLException;

        /** Deletes every invitation of the tenant; how many there were. */
        int deleteAll(TenantId tenant) throws SQLException;

        void audit(AuditEntry entry) throws SQLException;
    }
}
