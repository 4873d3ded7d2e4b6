package dev.tenancy.audit;

import dev.tenancy.TenantId;
import java.time.Instant;

/**
 * Filters and pagination for {@link AuditLog#query}, as the platform audit page offers them. Every
 * filter is optional; results come newest first.
 *
 * <pre>{@code
 * AuditQuery.builder().tenant(TenantId.of("acme")).action("transition").text("unpaid").limit(20).build();
 * }</pre>
 *
 * @param action exact action, or {@code null}
 * @param entityType exact entity type, or {@code null}
 * @param tenantId exact tenant, or {@code null}
 * @param actorRole exact actor role, or {@code null}
 * @param from events created at or after this instant, or {@code null}
 * @param to events created before this instant, or {@code null}
 * @param text case-insensitive substring of the metadata JSON, or {@code null}
 * @param offset events to skip
 * @param limit page size, 1 to {@value #MAX_LIMIT}
 */
public record AuditQuery(
        String action,
        String entityType,
        TenantId tenantId,
        String actorRole,
        Instant from,
        Instant to,
        String text,
        int offset,
        int limit) {

    /** The largest page. */
    public static final int MAX_LIMIT = 1000;

    public AuditQuery {
        if (offset < 0) {
            throw new IllegalArgumentException("Audit query offset must be >= 0, was " + offset);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("Audit query limit must be 1 to " + MAX_LIMIT + ", was " + limit);
        }
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("Audit query range is empty: from " + from + " is not before to " + to);
        }
        if (text != null && text.isBlank()) {
            text = null;
        }
        if (text != null && text.length() > 200) {
            throw new IllegalArgumentException("Audit search text must be at most 200 characters");
        }
    }

    /** Every event, first page of 50. */
    public static AuditQuery all() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds an {@link AuditQuery}; every method is optional. */
    public static final class Builder {
        private String action;
        private String entityType;
        private TenantId tenantId;
        private String actorRole;
        private Instant from;
        private Instant to;
        private String text;
        private int offset;
        private int limit = 50;

        private Builder() {}

        public Builder action(String action) {
            this.action = action;
            return this;
        }

        public Builder entityType(String entityType) {
            this.entityType = entityType;
            return this;
        }

        public Builder tenant(TenantId tenantId) {
            this.tenantId = tenantId;
            return this;
        }

        public Builder actorRole(String actorRole) {
            this.actorRole = actorRole;
            return this;
        }

        /** Events created at or after {@code from} and before {@code to}; either may be {@code null}. */
        public Builder between(Instant from, Instant to) {
            this.from = from;
            this.to = to;
            return this;
        }

        public Builder text(String text) {
            this.text = text;
            return this;
        }

        public Builder offset(int offset) {
            this.offset = offset;
            return this;
        }

        public Builder limit(int limit) {
            this.limit = limit;
            return this;
        }

        public AuditQuery build() {
            return new AuditQuery(action, entityType, tenantId, actorRole, from, to, text, offset, limit);
        }
    }
}
