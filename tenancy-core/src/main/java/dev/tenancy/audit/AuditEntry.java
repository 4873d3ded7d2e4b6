package dev.tenancy.audit;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.internal.Json;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What happened, as handed to {@link AuditLog#append}: the log adds the sequence number, the time
 * and the hash chain and returns an {@link AuditEvent}.
 *
 * <pre>{@code
 * audit.append(AuditEntry.of("transition", "tenant", "acme", TenantId.of("acme"), actor,
 *         Map.of("from", "active", "to", "suspended", "reason", "unpaid")));
 * }</pre>
 *
 * @param action what was done: {@code create}, {@code update}, {@code transition}, {@code revoke}, ...
 * @param entityType the kind of thing acted on: {@code tenant}, {@code domain}, {@code invoice}, ...
 * @param entityId the id of the thing acted on
 * @param tenantId the tenant the action is scoped to, or {@code null} for platform-wide actions
 * @param actor who did it, with the role held at the time
 * @param metadata action-specific details; anything Jackson writes as JSON, normalised on creation
 */
public record AuditEntry(
        String action,
        String entityType,
        String entityId,
        TenantId tenantId,
        Actor actor,
        Map<String, Object> metadata) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_.-]{0,63}");

    public AuditEntry {
        requireName("action", action);
        requireName("entity type", entityType);
        Objects.requireNonNull(entityId, "entityId");
        if (entityId.isEmpty() || entityId.length() > 200) {
            throw new IllegalArgumentException("Audit entity id must be 1 to 200 characters, was '" + entityId + "'");
        }
        Objects.requireNonNull(actor, "actor");
        metadata = metadata == null || metadata.isEmpty()
                ? Map.of()
                : java.util.Collections.unmodifiableMap(Json.normalize(metadata));
    }

    /** An entry; {@code tenantId} may be {@code null} for platform-wide actions. */
    public static AuditEntry of(
            String action,
            String entityType,
            String entityId,
            TenantId tenantId,
            Actor actor,
            Map<String, ?> metadata) {
        return new AuditEntry(
                action, entityType, entityId, tenantId, actor, metadata == null ? null : Json.normalize(metadata));
    }

    private static void requireName(String what, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException("Invalid audit " + what + " '" + value
                    + "': use 1 to 64 lowercase letters, digits, '_', '.' or '-', starting with a letter");
        }
    }
}
