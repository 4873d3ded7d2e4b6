package dev.tenancy;

/**
 * The tenant exists but may not be served in its current status.
 *
 * <p>The message names the tenant and its status only, so that it can be shown to whoever sent
 * the request. The reason staff gave with the status change ("Payment failed three times") is in
 * {@link #reason()}, for the audit log and the console, never for the public.
 */
public final class TenantNotActiveException extends TenancyException {
    private static final long serialVersionUID = 1L;

    private final TenantId tenant;
    private final TenantStatus status;
    private final String reason;

    public TenantNotActiveException(TenantId tenant, TenantStatus status, String reason) {
        super(publicMessage(tenant, status));
        this.tenant = tenant;
        this.status = status;
        this.reason = reason;
    }

    /** What the public is told: the status, never the staff's reason. */
    private static String publicMessage(TenantId tenant, TenantStatus status) {
        return "Tenant '" + tenant + "' is " + status.key().replace('_', ' ')
                + " and cannot be served; contact its administrator";
    }

    public TenantId tenant() {
        return tenant;
    }

    public TenantStatus status() {
        return status;
    }

    /**
     * The reason staff gave with the transition into {@link #status()}, or {@code null}: for staff
     * and the audit log only, never in a response to the public.
     */
    public String reason() {
        return reason;
    }
}
