package dev.tenancy.resolve;

import dev.tenancy.TenancyException;

/**
 * A request names its tenant in a malformed way (bad host, oversized or repeated header, invalid
 * id). It is refused before anything reaches the catalog or SQL.
 */
public final class InvalidTenantRequestException extends TenancyException {
    private static final long serialVersionUID = 1L;

    private final String resolver;

    InvalidTenantRequestException(String resolver, String message, Throwable cause) {
        super(message, cause);
        this.resolver = resolver;
    }

    /** The resolver that refused the request. */
    public String resolver() {
        return resolver;
    }
}
