package dev.tenancy.access;

import dev.tenancy.StorageException;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditEntry;
import dev.tenancy.audit.AuditLog;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Sessions held in memory; changes are serialized, audit events appended once a change succeeds. */
final class InMemoryImpersonationStore implements ImpersonationStore {
    private final AuditLog audit;
    private final Map<String, Impersonation> sessions = new LinkedHashMap<>();

    InMemoryImpersonationStore(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public synchronized <T> T atomically(String what, Work<T> work) {
        Map<String, Impersonation> staged = new LinkedHashMap<>(sessions);
        List<AuditEntry> events = new ArrayList<>();
        T result;
        try {
            result = work.apply(new Changes() {
                @Override
                public Optional<Impersonation> lock(String id) {
                    return Optional.ofNullable(staged.get(id));
                }

                @Override
                public Optional<Impersonation> openOf(String actorId) {
                    return staged.values().stream()
                            .filter(s ->
                                    s.endedAt() == null && s.impersonator().id().equals(actorId))
                            .findFirst();
                }

                @Override
                public List<Impersonation> expiredBy(Instant now) {
                    return staged.values().stream()
                            .filter(s -> s.endedAt() == null && !now.isBefore(s.expiresAt()))
                            .toList();
                }

                @Override
                public void insert(Impersonation session) throws SQLException {
                    if (openOf(session.impersonator().id()).isPresent()) {
                        throw new SQLException("one open impersonation per actor", "23505");
                    }
                    staged.put(session.id(), session);
                }

                @Override
                public void end(Impersonation ended) {
                    staged.put(ended.id(), ended);
                }

                @Override
                public void audit(AuditEntry entry) {
                    events.add(entry);
                }
            });
        } catch (SQLException e) {
            throw new StorageException("Could not " + what + ": " + e.getMessage(), e);
        }
        sessions.clear();
        sessions.putAll(staged);
        events.forEach(audit::append);
        return result;
    }

    @Override
    public synchronized Optional<Impersonation> find(String id) {
        return Optional.ofNullable(sessions.get(id));
    }

    @Override
    public synchronized List<Impersonation> open() {
        return sessions.values().stream()
                .filter(s -> s.endedAt() == null)
                .sorted(Comparator.comparing(Impersonation::startedAt))
                .toList();
    }

    @Override
    public synchronized List<Impersonation> ofTenant(TenantId tenant, int limit) {
        return sessions.values().stream()
                .filter(s -> s.tenant().equals(tenant))
                .sorted(Comparator.comparing(Impersonation::startedAt).reversed())
                .limit(limit)
                .toList();
    }
}
