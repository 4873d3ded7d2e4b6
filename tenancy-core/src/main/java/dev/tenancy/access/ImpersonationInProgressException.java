package dev.tenancy.access;

import dev.tenancy.TenancyException;

/** An admin asked for a second impersonation session while one of theirs is still open. */
public class ImpersonationInProgressException extends TenancyException {
    private static final long serialVersionUID = 1L;

    private final Impersonation open;

    public ImpersonationInProgressException(Impersonation open) {
        super("Actor '" + open.impersonator().id() + "' is already impersonating " + open.user() + " in tenant '"
                + open.tenant() + "' (session " + open.id() + ", since " + open.startedAt()
                + "): end that session first");
        this.open = open;
    }

    /** The session still open. */
    public Impersonation open() {
        return open;
    }
}
