package dev.tenancy;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A tenant as the catalog knows it. The {@link #id()} is immutable for the tenant's whole life;
 * everything else changes through the catalog, which records each change in the audit log.
 *
 * <p>Immutable and thread-safe; {@code statusReason}, {@code ownerEmail} and {@code expiresAt} may
 * be {@code null}.
 *
 * @param id the slug, never changes
 * @param displayName the company or workspace name shown to people
 * @param status where the tenant is in its lifecycle
 * @param statusReason the reason given with the last status change, or {@code null}
 * @param tier the plan/tier key, e.g. {@code free}, {@code pro}, {@code enterprise}
 * @param isolation how the tenant's data is isolated
 * @param server the name of the database server the tenant's data lives on (placement)
 * @param ownerEmail the owner's email, or {@code null}
 * @param attributes free-form string attributes, sorted by key
 * @param expiresAt when the tenant's life ends by itself (a sandbox, a demo, a preview environment),
 *     or {@code null} for never; from then {@link dev.tenancy.provision.TenantOffboarding#expire}
 *     takes it out of service and removes its data
 * @param createdAt when the tenant was registered
 * @param updatedAt when the record last changed
 * @param version incremented by every change, for optimistic concurrency
 */
public record Tenant(
        TenantId id,
        String displayName,
        TenantStatus status,
        String statusReason,
        String tier,
        IsolationModel isolation,
        String server,
        String ownerEmail,
        Map<String, String> attributes,
        Instant expiresAt,
        Instant createdAt,
        Instant updatedAt,
        long version) {

    private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,255}");

    public Tenant {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(isolation, "isolation");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        displayName = requireDisplayName(displayName);
        tier = requireKey("tier", tier);
        server = requireKey("server", server);
        ownerEmail = requireEmail(ownerEmail);
        attributes = requireAttributes(attributes);
        if (statusReason != null && statusReason.length() > 1000) {
            throw new IllegalArgumentException("Status reason must be at most 1000 characters");
        }
    }

    /**
     * The attribute marking a sandbox (a tenant registered with an expiry: a trial, a demo, a
     * preview): only a sandbox is purged by the expiry sweep once expired; any other tenant given an
     * expiry is archived then, and purged only through offboarding after its retention.
     */
    public static final String SANDBOX = "tenancy.sandbox";

    /** Whether this tenant is a {@linkplain #SANDBOX sandbox}. */
    public boolean isSandbox() {
        return "true".equals(attributes.get(SANDBOX));
    }

    /** Whether the tenant has an expiry and it has come at {@code now}. */
    public boolean isExpiredAt(Instant now) {
        return expiresAt != null && !expiresAt.isAfter(now);
    }

    /** Whether the tenant may be served (read-write). */
    public boolean isActive() {
        return status == TenantStatus.ACTIVE;
    }

    /** Validates a display name: 1 to 200 characters, not blank. */
    public static String requireDisplayName(String displayName) {
        if (displayName == null) {
            throw new IllegalArgumentException("A tenant needs a display name of 1 to 200 characters, was missing");
        }
        String trimmed = displayName.strip();
        if (trimmed.isEmpty() || trimmed.length() > 200) {
            throw new IllegalArgumentException(
                    "Display name must be 1 to 200 characters, was " + dev.tenancy.internal.Quoted.quote(displayName));
        }
        return trimmed;
    }

    /** Validates a key such as a tier or server name: lowercase letters, digits, '_', '.', '-'. */
    public static String requireKey(String what, String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("Invalid " + what + " '" + key
                    + "': use 1 to 64 lowercase letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        return key;
    }

    /** Validates an optional email address ({@code null} stays {@code null}). */
    public static String requireEmail(String email) {
        if (email == null) {
            return null;
        }
        String trimmed = email.strip();
        if (!EMAIL.matcher(trimmed).matches()) {
            throw new IllegalArgumentException("Invalid owner email '" + email + "': expected name@domain");
        }
        return trimmed;
    }

    /** Validates and copies attributes: keys as {@link #requireKey}, values at most 4000 characters. */
    public static Map<String, String> requireAttributes(Map<String, String> attributes) {
        if (attributes == null || attributes.isEmpty()) {
            return Map.of();
        }
        TreeMap<String, String> sorted = new TreeMap<>();
        attributes.forEach((k, v) -> {
            requireKey("attribute key", k);
            Objects.requireNonNull(v, () -> "attribute '" + k + "' has a null value; remove it instead");
            if (v.length() > 4000) {
                throw new IllegalArgumentException("Attribute '" + k + "' must be at most 4000 characters");
            }
            sorted.put(k, v);
        });
        return java.util.Collections.unmodifiableSortedMap(sorted);
    }
}
