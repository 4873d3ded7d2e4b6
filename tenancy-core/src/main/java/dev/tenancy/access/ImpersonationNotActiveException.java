package dev.tenancy.access;

import dev.tenancy.TenancyException;

/** An impersonation session was used that is unknown, ended, expired, or another admin's. */
public class ImpersonationNotActiveException extends TenancyException {
    private static final long serialVersionUID = 1L;

    private final String impersonation;

    public ImpersonationNotActiveException(String impersonation, String why) {
        super("Impersonation " + impersonation + " cannot be used: " + why);
        this.impersonation = impersonation;
    }

    /** The session's id, as given. */
    public String impersonation() {
        return impersonation;
    }
}
