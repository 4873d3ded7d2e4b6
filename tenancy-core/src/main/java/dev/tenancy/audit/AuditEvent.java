package dev.tenancy.audit;

import dev.tenancy.TenantId;
import java.time.Instant;
import java.util.Map;

/**
 * One recorded event of the append-only audit log. {@link #hash()} is the SHA-256 of this event's
 * content and {@link #previousHash()}, so changing, removing or reordering any stored event breaks
 * the chain that {@link AuditLog#verify()} walks.
 *
 * @param sequence position in the log, 1 for the first event, without gaps
 * @param action what was done
 * @param entityType the kind of thing acted on
 * @param entityId the id of the thing acted on
 * @param tenantId the tenant the action is scoped to, or {@code null}
 * @param actorId who did it
 * @param actorRole their role at the time
 * @param createdAt when it was recorded, at millisecond precision
 * @param metadata action-specific details
 * @param previousHash the hash of the event before ({@link #GENESIS_HASH} for the first)
 * @param hash the hash of this event
 */
public record AuditEvent(
        long sequence,
        String action,
        String entityType,
        String entityId,
        TenantId tenantId,
        String actorId,
        String actorRole,
        Instant createdAt,
        Map<String, Object> metadata,
        String previousHash,
        String hash) {

    /** The previous hash of the first event. */
    public static final String GENESIS_HASH = "0".repeat(64);

    public AuditEvent {
        metadata = metadata == null
                ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata));
    }
}
