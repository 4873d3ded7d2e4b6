package dev.tenancy.access;

import dev.tenancy.StorageException;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditEntry;
import dev.tenancy.audit.AuditLog;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Invitations held in memory; changes are serialized, audit events appended once a change succeeds. */
final class InMemoryInvitationStore implements InvitationStore {
    private final AuditLog audit;
    private final Map<String, Invitation> invitations = new LinkedHashMap<>();
    private final Map<String, String> idByToken = new HashMap<>();

    InMemoryInvitationStore(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public synchronized <T> T atomically(String what, Work<T> work) {
        Map<String, Invitation> staged = new LinkedHashMap<>(invitations);
        Map<String, String> stagedTokens = new HashMap<>(idByToken);
        List<AuditEntry> events = new ArrayList<>();
        T result;
        try {
            result = work.apply(new Changes() {
                @Override
                public Optional<Invitation> lock(String id) {
                    return Optional.ofNullable(staged.get(id));
                }

                @Override
                public Optional<Invitation> lockByToken(String tokenHash) {
                    return Optional.ofNullable(stagedTokens.get(tokenHash)).map(staged::get);
                }

                @Override
                public Optional<Invitation> lockPending(TenantId tenant, String email) {
                    return staged.values().stream()
                            .filter(i -> i.status() == Invitation.Status.PENDING
                                    && i.tenant().equals(tenant)
                                    && i.email().equals(email))
                            .findFirst();
                }

                @Override
                public void insert(Invitation invitation, String tokenHash) throws SQLException {
                    if (lockPending(invitation.tenant(), invitation.email()).isPresent()) {
                        throw new SQLException("one pending invitation per address and tenant", "23505");
                    }
                    staged.put(invitation.id(), invitation);
                    stagedTokens.put(tokenHash, invitation.id());
                }

                @Override
                public void update(Invitation invitation, String tokenHash) {
                    staged.put(invitation.id(), invitation);
                    if (tokenHash != null) {
                        stagedTokens.values().remove(invitation.id());
                        stagedTokens.put(tokenHash, invitation.id());
                    }
                }

                @Override
                public List<java.time.Instant> sentAfter(TenantId tenant, java.time.Instant since) {
                    return staged.values().stream()
                            .filter(i ->
                                    i.tenant().equals(tenant) && i.createdAt().isAfter(since))
                            .map(Invitation::createdAt)
                            .sorted()
                            .toList();
                }

                @Override
                public int deleteAll(TenantId tenant) {
                    List<String> ids = staged.values().stream()
                            .filter(i -> i.tenant().equals(tenant))
                            .map(Invitation::id)
                            .toList();
                    ids.forEach(staged::remove);
                    stagedTokens.values().removeAll(ids);
                    return ids.size();
                }

                @Override
                public void audit(AuditEntry entry) {
                    events.add(entry);
                }
            });
        } catch (SQLException e) {
            throw new StorageException("Could not " + what + ": " + e.getMessage(), e);
        }
        invitations.clear();
        invitations.putAll(staged);
        idByToken.clear();
        idByToken.putAll(stagedTokens);
        events.forEach(audit::append);
        return result;
    }

    @Override
    public synchronized Optional<Invitation> find(String id) {
        return Optional.ofNullable(invitations.get(id));
    }

    @Override
    public synchronized List<Invitation> ofTenant(TenantId tenant, int limit) {
        return invitations.values().stream()
                .filter(i -> i.tenant().equals(tenant))
                .sorted(Comparator.comparing(Invitation::createdAt).reversed().thenComparing(Invitation::id))
                .limit(limit)
                .toList();
    }
}
