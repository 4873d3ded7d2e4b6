package dev.tenancy;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Where a tenant is in its lifecycle, with the table of legal transitions.
 *
 * <pre>
 * PENDING_APPROVAL -> ACTIVE | REJECTED
 * ACTIVE           -> SUSPENDED | ARCHIVED
 * SUSPENDED        -> ACTIVE | ARCHIVED
 * ARCHIVED         -> ACTIVE (restored within the retention window) | PURGED
 * REJECTED         -> PURGED
 * PURGED           -> (terminal: the tenant's data is gone, a minimal record stays)
 * </pre>
 */
public enum TenantStatus {
    /** Registered, waiting for a platform admin to approve or reject it. */
    PENDING_APPROVAL,
    /** Served. */
    ACTIVE,
    /** Blocked; data frozen and retained. */
    SUSPENDED,
    /** Off-boarded; data read-only for the retention window, then purged. */
    ARCHIVED,
    /** Refused at approval; a minimal record is retained for compliance. */
    REJECTED,
    /** Data removed; terminal. */
    PURGED;

    private Set<TenantStatus> next;

    static {
        PENDING_APPROVAL.next = EnumSet.of(ACTIVE, REJECTED);
        ACTIVE.next = EnumSet.of(SUSPENDED, ARCHIVED);
        SUSPENDED.next = EnumSet.of(ACTIVE, ARCHIVED);
        ARCHIVED.next = EnumSet.of(ACTIVE, PURGED);
        REJECTED.next = EnumSet.of(PURGED);
        PURGED.next = EnumSet.noneOf(TenantStatus.class);
        for (TenantStatus s : values()) {
            s.next = Collections.unmodifiableSet(s.next);
        }
    }

    /** The statuses this one may move to. */
    public Set<TenantStatus> next() {
        return next;
    }

    /** Whether moving from this status to {@code target} is legal. */
    public boolean canMoveTo(TenantStatus target) {
        return next.contains(target);
    }

    /** The lowercase name used in storage, JSON and URLs, e.g. {@code pending_approval}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@link #key()} (case-insensitive), naming the accepted values when it fails. */
    public static TenantStatus fromKey(String key) {
        if (key != null) {
            for (TenantStatus s : values()) {
                if (s.key().equalsIgnoreCase(key.trim())) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("Unknown tenant status '" + key + "': expected one of "
                + java.util.Arrays.stream(values()).map(TenantStatus::key).toList());
    }
}
