package dev.tenancy;

import dev.tenancy.context.TenantContext;
import java.util.Optional;

/**
 * A write was asked for inside a {@linkplain dev.tenancy.context.TenantScope#readOnly() read-only
 * scope} (a read-only impersonation, an archived tenant's work): refused by every module the same
 * way, before anything is changed. The database refuses the tenant's own SQL there too (SQLSTATE
 * 25006 or 42501); this is the refusal of the platform's writes (settings, invitations, flags,
 * billing) that do not go through the tenant's connection.
 */
public final class ReadOnlyScopeException extends TenancyException {
    private static final long serialVersionUID = 1L;

    private final String action;

    public ReadOnlyScopeException(String action, Optional<TenantId> tenant) {
        super("Refused to " + action + ": the current scope"
                + tenant.map(t -> " (tenant '" + t + "')").orElse("")
                + " is read-only, as in a read-only impersonation; end it, or start one in write mode");
        this.action = action;
    }

    /** What was refused, as in "change settings". */
    public String action() {
        return action;
    }

    /**
     * Throws when the current scope is read-only.
     *
     * @param action what the caller was about to do, for the message ("change settings")
     */
    public static void refuseIfReadOnly(String action) {
        if (TenantContext.isReadOnly()) {
            throw new ReadOnlyScopeException(action, TenantContext.current());
        }
    }
}
