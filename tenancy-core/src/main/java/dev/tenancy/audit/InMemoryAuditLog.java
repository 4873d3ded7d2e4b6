package dev.tenancy.audit;

import dev.tenancy.Page;
import dev.tenancy.internal.Json;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/** An {@link AuditLog} in a list guarded by its monitor. */
final class InMemoryAuditLog implements AuditLog {
    private final InstantSource clock;
    private final List<AuditEvent> events = new ArrayList<>();

    InMemoryAuditLog(InstantSource clock) {
        this.clock = clock;
    }

    @Override
    public synchronized AuditEvent append(AuditEntry entry) {
        String previous =
                events.isEmpty() ? AuditEvent.GENESIS_HASH : events.getLast().hash();
        AuditEvent event = AuditChain.seal(null, entry, events.size() + 1L, previous, clock.instant());
        events.add(event);
        return event;
    }

    @Override
    public synchronized Page<AuditEvent> query(AuditQuery query) {
        List<AuditEvent> matching = new ArrayList<>();
        for (int i = events.size() - 1; i >= 0; i--) {
            AuditEvent e = events.get(i);
            if (AuditFilter.matches(query, e, Json.write(e.metadata()))) {
                matching.add(e);
            }
        }
        int from = Math.min(query.offset(), matching.size());
        int to = Math.min(from + query.limit(), matching.size());
        return new Page<>(matching.subList(from, to), matching.size(), query.offset(), query.limit());
    }

    @Override
    public synchronized AuditVerification verify() {
        String previous = AuditEvent.GENESIS_HASH;
        long expected = 1;
        for (AuditEvent e : events) {
            if (e.sequence() != expected) {
                return AuditVerification.broken(expected, e.sequence(), "expected sequence " + expected);
            }
            if (!e.previousHash().equals(previous)) {
                return AuditVerification.broken(
                        expected, e.sequence(), "previous hash does not match the event before");
            }
            if (!AuditChain.rehash(e).equals(e.hash())) {
                return AuditVerification.broken(expected, e.sequence(), "content does not match its hash");
            }
            previous = e.hash();
            expected++;
        }
        return AuditVerification.ok(events.size());
    }
}
