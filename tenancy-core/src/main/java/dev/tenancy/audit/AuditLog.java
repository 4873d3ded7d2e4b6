package dev.tenancy.audit;

import dev.tenancy.Page;
import java.time.InstantSource;

/**
 * The append-only, tamper-evident audit log of administrative changes.
 *
 * <p>Contract: events are never changed or removed through this interface; each append gets the
 * next sequence number with no gaps and is chained by hash to the one before, so {@link #verify()}
 * reports the first event whose content or position was changed behind the log's back.
 *
 * <p>Implementations: {@link #inMemory()} for tests and demos, {@link JdbcAuditLog} for
 * PostgreSQL and H2. Implementations are thread-safe.
 */
public interface AuditLog {

    /** Records {@code entry} as the next event and returns it with its sequence, time and hash. */
    AuditEvent append(AuditEntry entry);

    /** The events matching {@code query}, newest first, with the total count. */
    Page<AuditEvent> query(AuditQuery query);

    /** Walks the whole chain and reports the first event whose content or order was changed. */
    AuditVerification verify();

    /** An audit log held in memory, timed by the system clock. */
    static AuditLog inMemory() {
        return new InMemoryAuditLog(InstantSource.system());
    }

    /** An audit log held in memory, timed by {@code clock}. */
    static AuditLog inMemory(InstantSource clock) {
        return new InMemoryAuditLog(clock);
    }
}
