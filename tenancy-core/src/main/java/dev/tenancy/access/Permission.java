package dev.tenancy.access;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A platform permission such as {@code platform.tenants.suspend}: dot-separated lowercase
 * segments, at least two. The constants are the platform permissions of the admin manual
 * (Appendix B); hosts add their own with {@link #of(String)}.
 *
 * @param name the permission's name, for example {@code platform.impersonation.start}
 */
public record Permission(String name) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+");

    /** See every tenant in a list. */
    public static final Permission TENANTS_LIST = new Permission("platform.tenants.list");
    /** Read one tenant. */
    public static final Permission TENANTS_READ = new Permission("platform.tenants.read");
    /** Create (provision) tenants. */
    public static final Permission TENANTS_CREATE = new Permission("platform.tenants.create");
    /** Edit tenant fields: modules, owner login, status. */
    public static final Permission TENANTS_UPDATE = new Permission("platform.tenants.update");
    /** Suspend and resume tenants. */
    public static final Permission TENANTS_SUSPEND = new Permission("platform.tenants.suspend");
    /**
     * Download all of an archived tenant's data ({@link dev.tenancy.TenantOperation#EXPORT}): a
     * permission of its own, since reading a tenant's record is not reading its customers' data.
     */
    public static final Permission TENANTS_EXPORT = new Permission("platform.tenants.export");
    /** Toggle modules per tenant. */
    public static final Permission ENTITLEMENTS_CONFIGURE = new Permission("platform.entitlements.configure");
    /** See platform billing: what the platform charges tenants. */
    public static final Permission BILLING_READ = new Permission("platform.billing.read");
    /** Edit platform billing. */
    public static final Permission BILLING_UPDATE = new Permission("platform.billing.update");
    /** See MRR, ARR, plan mix and churn. */
    public static final Permission ANALYTICS_READ = new Permission("platform.analytics.read");
    /** Start a (read-only) impersonation session into a tenant. */
    public static final Permission IMPERSONATION_START = new Permission("platform.impersonation.start");
    /** Write during an impersonation session; needed in addition to {@link #IMPERSONATION_START}. */
    public static final Permission IMPERSONATION_WRITE_ENABLE = new Permission("platform.impersonation.write_enable");
    /** Read security events. */
    public static final Permission SECURITY_READ = new Permission("platform.security.read");
    /** Read security events in the audit log. */
    public static final Permission AUDIT_SECURITY_EVENTS_READ = new Permission("audit.security_events.read");

    /** Every platform permission above, in the manual's order. */
    public static final List<Permission> PLATFORM = List.of(
            TENANTS_LIST,
            TENANTS_READ,
            TENANTS_CREATE,
            TENANTS_UPDATE,
            TENANTS_SUSPEND,
            TENANTS_EXPORT,
            ENTITLEMENTS_CONFIGURE,
            BILLING_READ,
            BILLING_UPDATE,
            ANALYTICS_READ,
            IMPERSONATION_START,
            IMPERSONATION_WRITE_ENABLE,
            SECURITY_READ,
            AUDIT_SECURITY_EVENTS_READ);

    public Permission {
        Objects.requireNonNull(name, "permission name");
        if (name.length() > 100 || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Invalid permission '" + name
                    + "': use dot-separated segments of lowercase letters, digits and '_', each starting with a"
                    + " letter, at least two, at most 100 characters (for example platform.tenants.suspend)");
        }
    }

    /** The permission named {@code name}. */
    public static Permission of(String name) {
        return new Permission(name);
    }

    @Override
    public String toString() {
        return name;
    }
}
