package dev.tenancy.audit;

import dev.tenancy.internal.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

/**
 * The hash chain of the audit log. An event's hash is SHA-256 over the canonical JSON array {@code
 * [sequence, previousHash, action, entityType, entityId, tenantId, actorId, actorRole,
 * createdAtEpochMillis, metadata]} (map keys sorted), hex-encoded; with a chain key it is
 * HMAC-SHA256 under that key instead, so that whoever can write the table but does not hold the key
 * cannot recompute the chain after changing an event. Every store computes and checks it the same
 * way, so a log can be verified by any of them.
 */
final class AuditChain {
    private AuditChain() {}

    static Instant truncate(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS);
    }

    static String hash(
            byte[] key,
            long sequence,
            String previousHash,
            String action,
            String entityType,
            String entityId,
            String tenantId,
            String actorId,
            String actorRole,
            Instant createdAt,
            String metadataJson) {
        // Metadata goes in as its parsed tree so that only its canonical form counts.
        Object metadata;
        try {
            metadata = Json.readMap(metadataJson);
        } catch (RuntimeException notJson) {
            metadata = metadataJson; // edited by hand into something else: hashes differently, never throws
        }
        String canonical = Json.write(Arrays.asList(
                sequence,
                previousHash,
                action,
                entityType,
                entityId,
                tenantId,
                actorId,
                actorRole,
                createdAt.toEpochMilli(),
                metadata));
        byte[] bytes = canonical.getBytes(StandardCharsets.UTF_8);
        try {
            if (key == null) {
                return HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            }
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(bytes));
        } catch (NoSuchAlgorithmException | java.security.InvalidKeyException e) {
            throw new IllegalStateException("SHA-256 and HmacSHA256 are required of every Java platform", e);
        }
    }

    static AuditEvent seal(byte[] key, AuditEntry entry, long sequence, String previousHash, Instant now) {
        Instant createdAt = truncate(now);
        String tenant = entry.tenantId() == null ? null : entry.tenantId().value();
        String metadataJson = Json.write(entry.metadata());
        String hash = hash(
                key,
                sequence,
                previousHash,
                entry.action(),
                entry.entityType(),
                entry.entityId(),
                tenant,
                entry.actor().id(),
                entry.actor().role(),
                createdAt,
                metadataJson);
        return new AuditEvent(
                sequence,
                entry.action(),
                entry.entityType(),
                entry.entityId(),
                entry.tenantId(),
                entry.actor().id(),
                entry.actor().role(),
                createdAt,
                entry.metadata(),
                previousHash,
                hash);
    }

    static String rehash(AuditEvent e) {
        return hash(
                null,
                e.sequence(),
                e.previousHash(),
                e.action(),
                e.entityType(),
                e.entityId(),
                e.tenantId() == null ? null : e.tenantId().value(),
                e.actorId(),
                e.actorRole(),
                e.createdAt(),
                Json.write(e.metadata() == null ? Map.of() : e.metadata()));
    }
}
