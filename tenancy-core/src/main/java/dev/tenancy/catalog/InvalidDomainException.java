package dev.tenancy.catalog;

import dev.tenancy.TenancyException;

/**
 * A custom domain a tenant may not claim: not a host name, an IP literal, {@code localhost}, a name
 * of one label, or one equal to or under the platform's own domains or hosts. The message names the
 * domain, the rule and what to claim instead.
 */
public final class InvalidDomainException extends TenancyException {
    private static final long serialVersionUID = 1L;

    private final String domain;

    public InvalidDomainException(String domain, String message) {
        super(message);
        this.domain = domain;
    }

    /** The domain as given (control characters escaped in the message, not here). */
    public String domain() {
        return domain;
    }
}
