package dev.tenancy.resolve;

import dev.tenancy.TenancyException;
import dev.tenancy.TenantId;

/**
 * A request names two tenants: a resolver names a tenant other than the one its authenticated
 * principal belongs to (an {@code X-Tenant-ID} header that disagrees with the token's tenant
 * claim), or two resolvers name different tenants (a header naming globex on acme's subdomain).
 * Refused, never obeyed.
 */
public final class TenantMismatchException extends TenancyException {
    private static final long serialVersionUID = 1L;

    private final TenantId authenticated;
    private final TenantId requested;
    private final String resolver;
    private final String firstResolver;

    /** {@code firstResolver}: the resolver that named {@code first}, null when the principal did. */
    TenantMismatchException(TenantId first, TenantId requested, String resolver, String firstResolver) {
        super("Request refused: the " + resolver + " resolver names tenant '" + requested + "' but "
                + (firstResolver == null
                        ? "the authenticated principal belongs to tenant '" + first + "'"
                        : "the " + firstResolver + " resolver names tenant '" + first + "'")
                + "; a request names one tenant");
        this.authenticated = first;
        this.requested = requested;
        this.resolver = resolver;
        this.firstResolver = firstResolver;
    }

    /**
     * The tenant the authenticated principal belongs to, or, when no principal named one, the
     * tenant the resolver first in priority named ({@link #firstResolver()}).
     */
    public TenantId authenticated() {
        return authenticated;
    }

    /** The resolver that named {@link #authenticated()}, or empty when the authenticated principal did. */
    public java.util.Optional<String> firstResolver() {
        return java.util.Optional.ofNullable(firstResolver);
    }

    public TenantId requested() {
        return requested;
    }

    /** The resolver that named {@link #requested()}. */
    public String resolver() {
        return resolver;
    }
}
