package dev.tenancy;

/** A tenant (or a domain) is registered twice. Tenant ids are never reused, even after a purge. */
public final class TenantAlreadyExistsException extends TenancyException {
    private static final long serialVersionUID = 1L;

    private final String key;

    public TenantAlreadyExistsException(String what, String key) {
        super(what + " '" + key + "' is already registered");
        this.key = key;
    }

    /** The id or domain that is taken. */
    public String key() {
        return key;
    }
}
