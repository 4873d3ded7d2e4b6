package dev.tenancy;

/** The tenant exists but may not be served in its current status; carries the status and its reason. */
public final class TenantNotActiveException extends TenancyException {
    private static final long serialVersionUID = 1L;

    private final TenantId tenant;
    private final TenantStatus status;
    private final String reason;

    public TenantNotActiveException(TenantId tenant, TenantStatus status, String reason) {
        super("Tenant '" + tenant + "' is " + status.key() + (reason == null ? "" : " (" + reason + ")")
                + " and cannot be served");
        this.tenant = tenant;
        this.status = status;
        this.reason = reason;
    }

    public TenantId tenant() {
        return tenant;
    }

    public TenantStatus status() {
        return status;
    }

    /** The reason given with the transition into {@link #status()}, or {@code null}. */
    public String reason() {
        return reason;
    }
}
