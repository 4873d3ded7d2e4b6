package dev.tenancy.resolve;

import dev.tenancy.TenancyException;

/** No resolver found a tenant in the request. */
public final class TenantNotResolvedException extends TenancyException {
    private static final long serialVersionUID = 1L;

    TenantNotResolvedException(String resolvers) {
        super("No tenant found in the request; tried " + resolvers);
    }
}
