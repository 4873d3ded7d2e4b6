package dev.tenancy;

/** A lifecycle move the transition table of {@link TenantStatus} does not allow. */
public final class IllegalTenantTransitionException extends TenancyException {
    private static final long serialVersionUID = 1L;

    private final TenantId tenant;
    private final TenantStatus from;
    private final TenantStatus to;

    public IllegalTenantTransitionException(TenantId tenant, TenantStatus from, TenantStatus to) {
        super("Tenant '" + tenant + "' cannot move from " + from.key() + " to " + to.key() + "; from " + from.key()
                + " it may move to "
                + from.next().stream().map(TenantStatus::key).toList());
        this.tenant = tenant;
        this.from = from;
        this.to = to;
    }

    public TenantId tenant() {
        return tenant;
    }

    public TenantStatus from() {
        return from;
    }

    public TenantStatus to() {
        return to;
    }
}
