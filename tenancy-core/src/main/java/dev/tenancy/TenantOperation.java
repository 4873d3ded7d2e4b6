package dev.tenancy;

import static dev.tenancy.TenantStatus.ACTIVE;
import static dev.tenancy.TenantStatus.ARCHIVED;
import static dev.tenancy.TenantStatus.PENDING_APPROVAL;
import static dev.tenancy.TenantStatus.REJECTED;
import static dev.tenancy.TenantStatus.SUSPENDED;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What may be done to a tenant in each {@link TenantStatus}: the one table every module asks.
 *
 * <table>
 *   <caption>Operations by status</caption>
 *   <tr><th>operation</th><th>pending approval</th><th>active</th><th>suspended</th><th>archived</th>
 *       <th>rejected</th><th>purged</th></tr>
 *   <tr><td>{@link #SERVE}</td><td></td><td>yes</td><td></td><td></td><td></td><td></td></tr>
 *   <tr><td>{@link #SERVE_READ_ONLY}</td><td></td><td>yes</td><td></td><td>yes</td><td></td><td></td></tr>
 *   <tr><td>{@link #CHANGE_SETTINGS}</td><td>yes</td><td>yes</td><td>yes</td><td></td><td></td><td></td></tr>
 *   <tr><td>{@link #CHANGE_DOMAINS}</td><td>yes</td><td>yes</td><td></td><td></td><td></td><td></td></tr>
 *   <tr><td>{@link #CHANGE_PLAN}</td><td>yes</td><td>yes</td><td>yes</td><td></td><td></td><td></td></tr>
 *   <tr><td>{@link #INVITE}</td><td></td><td>yes</td><td></td><td></td><td></td><td></td></tr>
 *   <tr><td>{@link #IMPERSONATE}</td><td></td><td>yes</td><td></td><td></td><td></td><td></td></tr>
 *   <tr><td>{@link #IMPERSONATE_READ_ONLY}</td><td></td><td>yes</td><td></td><td>yes</td><td></td><td></td></tr>
 *   <tr><td>{@link #EXPORT}</td><td></td><td></td><td></td><td>yes</td><td></td><td></td></tr>
 *   <tr><td>{@link #PURGE}</td><td></td><td></td><td></td><td>yes</td><td>yes</td><td></td></tr>
 * </table>
 *
 * <p>Suspended tenants keep their settings and plan editable so that staff can resolve what
 * suspended them (a failed payment, a plan to change) before reactivating; their domains are
 * frozen. Archived tenants are read-only: nothing about them changes but their export and, after
 * the retention period, their purge. The README's lifecycle table is this one.
 *
 * <pre>{@code
 * TenantOperation.CHANGE_SETTINGS.require(catalog.require(acme));   // throws when acme is archived
 * }</pre>
 */
public enum TenantOperation {
    /** Serving requests that may write: the tenant's own users and API clients. */
    SERVE("serving requests", EnumSet.of(ACTIVE)),
    /** Serving read-only requests (archived tenants, when the admission allows it). */
    SERVE_READ_ONLY("serving read-only requests", EnumSet.of(ACTIVE, ARCHIVED)),
    /** Changing the tenant's settings (the tenant's admins or staff). */
    CHANGE_SETTINGS("changing settings", EnumSet.of(PENDING_APPROVAL, ACTIVE, SUSPENDED)),
    /** Adding and verifying custom domains (removing one is always allowed). */
    CHANGE_DOMAINS("adding or verifying custom domains", EnumSet.of(PENDING_APPROVAL, ACTIVE)),
    /** Subscribing, or changing the plan of the subscription. */
    CHANGE_PLAN("changing the plan", EnumSet.of(PENDING_APPROVAL, ACTIVE, SUSPENDED)),
    /** Inviting users, and accepting an invitation. */
    INVITE("inviting users", EnumSet.of(ACTIVE)),
    /** Staff acting as a user of the tenant, with writes. */
    IMPERSONATE("impersonating with writes", EnumSet.of(ACTIVE)),
    /** Staff seeing the tenant as a user, read-only. */
    IMPERSONATE_READ_ONLY("impersonating read-only", EnumSet.of(ACTIVE, ARCHIVED)),
    /** Exporting all of the tenant's data for hand-over (a permission of its own). */
    EXPORT("exporting the tenant's data", EnumSet.of(ARCHIVED)),
    /** Deleting the tenant's data for good. */
    PURGE("purging", EnumSet.of(ARCHIVED, REJECTED));

    private final String description;
    private final Set<TenantStatus> allowed;

    TenantOperation(String description, EnumSet<TenantStatus> allowed) {
        this.description = description;
        this.allowed = Collections.unmodifiableSet(allowed);
    }

    /** The statuses in which this operation is allowed. */
    public Set<TenantStatus> allowedStatuses() {
        return allowed;
    }

    /** Whether this operation is allowed for a tenant in {@code status}. */
    public boolean allowedIn(TenantStatus status) {
        return allowed.contains(Objects.requireNonNull(status, "status"));
    }

    /** What the operation is, in words: {@code changing settings}. */
    public String description() {
        return description;
    }

    /**
     * Returns normally when this operation is allowed for {@code tenant}.
     *
     * @throws TenantOperationRefusedException naming the tenant, its status, the operation and the
     *     statuses that allow it
     */
    public void require(Tenant tenant) {
        Objects.requireNonNull(tenant, "tenant");
        if (!allowedIn(tenant.status())) {
            throw new TenantOperationRefusedException(tenant.id(), tenant.status(), this);
        }
    }
}
