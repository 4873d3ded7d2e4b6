package dev.tenancy.catalog;

import dev.tenancy.TenantStatus;
import java.time.Instant;
import java.util.Set;

/**
 * Search, filters, sort and pagination for {@link TenantCatalog#list}, as an admin console's
 * tenant table needs them. Every filter is optional.
 *
 * <pre>{@code
 * TenantQuery.builder().search("acme").status(TenantStatus.PENDING_APPROVAL).sort(Sort.CREATED, true).limit(25).build();
 * }</pre>
 *
 * @param search case-insensitive substring of the id, display name or owner email, or {@code null}
 * @param statuses only these statuses (empty: all)
 * @param tiers only these tiers (empty: all)
 * @param createdFrom created at or after, or {@code null}
 * @param createdTo created before, or {@code null}
 * @param expiringBefore only tenants with an expiry before this instant (sandboxes about to go, or
 *     gone), or {@code null}
 * @param sort the sort key; ties are broken by id
 * @param descending whether to sort descending
 * @param offset items to skip
 * @param limit page size, 1 to {@value #MAX_LIMIT}
 */
public record TenantQuery(
        String search,
        Set<TenantStatus> statuses,
        Set<String> tiers,
        Instant createdFrom,
        Instant createdTo,
        Instant expiringBefore,
        Sort sort,
        boolean descending,
        int offset,
        int limit) {

    /** The largest page. */
    public static final int MAX_LIMIT = 1000;

    /** Sort keys. */
    public enum Sort {
        /** By display name, case-insensitively. */
        NAME,
        /** By registration time. */
        CREATED
    }

    public TenantQuery {
        statuses = Set.copyOf(statuses);
        tiers = Set.copyOf(tiers);
        java.util.Objects.requireNonNull(sort, "sort");
        if (search != null && search.isBlank()) {
            search = null;
        }
        if (search != null && search.length() > 200) {
            throw new IllegalArgumentException("Tenant search text must be at most 200 characters");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("Tenant query offset must be >= 0, was " + offset);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("Tenant query limit must be 1 to " + MAX_LIMIT + ", was " + limit);
        }
        if (createdFrom != null && createdTo != null && !createdFrom.isBefore(createdTo)) {
            throw new IllegalArgumentException(
                    "Tenant query range is empty: from " + createdFrom + " is not before to " + createdTo);
        }
    }

    /** Every tenant by name, first page of 50. */
    public static TenantQuery all() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link TenantQuery}; defaults: everything, sorted by name, 50 a page. */
    public static final class Builder {
        private String search;
        private final java.util.EnumSet<TenantStatus> statuses = java.util.EnumSet.noneOf(TenantStatus.class);
        private final java.util.Set<String> tiers = new java.util.HashSet<>();
        private Instant createdFrom;
        private Instant createdTo;
        private Instant expiringBefore;
        private Sort sort = Sort.NAME;
        private boolean descending;
        private int offset;
        private int limit = 50;

        private Builder() {}

        public Builder search(String search) {
            this.search = search;
            return this;
        }

        public Builder status(TenantStatus... statuses) {
            this.statuses.addAll(java.util.List.of(statuses));
            return this;
        }

        public Builder tier(String... tiers) {
            this.tiers.addAll(java.util.List.of(tiers));
            return this;
        }

        /** Tenants created at or after {@code from} and before {@code to}; either may be {@code null}. */
        public Builder createdBetween(Instant from, Instant to) {
            this.createdFrom = from;
            this.createdTo = to;
            return this;
        }

        /** Only tenants whose expiry is before {@code instant}: {@code expiringBefore(now)} lists the expired ones. */
        public Builder expiringBefore(Instant instant) {
            this.expiringBefore = java.util.Objects.requireNonNull(instant, "instant");
            return this;
        }

        public Builder sort(Sort sort, boolean descending) {
            this.sort = sort;
            this.descending = descending;
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

        public TenantQuery build() {
            return new TenantQuery(
                    search, statuses, tiers, createdFrom, createdTo, expiringBefore, sort, descending, offset, limit);
        }
    }
}
