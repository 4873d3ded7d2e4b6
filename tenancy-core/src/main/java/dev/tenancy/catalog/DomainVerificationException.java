package dev.tenancy.catalog;

import dev.tenancy.TenancyException;

/**
 * Ownership of a custom domain could not be proven: its DNS TXT record is missing or carries
 * another value ({@link #transientFailure()} false), or DNS could not be asked ({@code true}). The
 * message names the record to publish and what was found.
 */
public final class DomainVerificationException extends TenancyException {
    private static final long serialVersionUID = 1L;

    private final String domain;
    private final boolean transientFailure;

    public DomainVerificationException(String domain, String message, boolean transientFailure, Throwable cause) {
        super(message, cause);
        this.domain = domain;
        this.transientFailure = transientFailure;
    }

    public String domain() {
        return domain;
    }

    /** Whether DNS could not be asked (try again later), rather than answering without the record. */
    public boolean transientFailure() {
        return transientFailure;
    }
}
