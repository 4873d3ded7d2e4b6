package dev.tenancy.resolve;

import dev.tenancy.TenancyException;
import dev.tenancy.TenantId;

/**
 * A request names a tenant other than the one its authenticated principal belongs to, for example
 * an {@code X-Tenant-ID} header that disagrees with the token's tenant claim. Refused, never obeyed.
 */
public final class TenantMismatchException extends TenancyException {
    private static final long serialVersionUID = 1L;

    private final TenantId authenticated;
    private final TenantId requested;
    private final String resolver;

    TenantMismatchException(TenantId authenticated, TenantId requested, String resolver) {
        super("Request refused: the " + resolver + " resolver names tenant '" + requested
                + "' but the authenticated principal belongs to tenant '" + authenticated + "'");
        this.authenticated = authenticated;
        this.requested = requested;
        this.resolver = resolver;
    }

    public TenantId authenticated() {
        return authenticated;
    }

    public TenantId requested() {
        return requested;
    }

    /** The resolver that named {@link #requested()}. */
    public String resolver() {
        return resolver;
    }
}
