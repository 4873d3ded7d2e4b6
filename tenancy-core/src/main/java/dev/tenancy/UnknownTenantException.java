package dev.tenancy;

/** No tenant with this id (or domain) is in the catalog. */
public final class UnknownTenantException extends TenancyException {
    private static final long serialVersionUID = 1L;

    private final String tenant;

    public UnknownTenantException(String tenant) {
        super("Unknown tenant '" + tenant + "': it is not in the tenant catalog");
        this.tenant = tenant;
    }

    /** The id or domain that was looked up. */
    public String tenant() {
        return tenant;
    }
}
