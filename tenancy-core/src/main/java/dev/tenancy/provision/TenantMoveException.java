package dev.tenancy.provision;

import dev.tenancy.TenancyException;
import dev.tenancy.TenantId;

/** A {@link TenantMove} failed; the message says where the tenant's data is and what to run next. */
public class TenantMoveException extends TenancyException {
    private static final long serialVersionUID = 1L;

    private final TenantId tenant;

    public TenantMoveException(TenantId tenant, String message, Throwable cause) {
        super(message, cause);
        this.tenant = tenant;
    }

    public TenantId tenant() {
        return tenant;
    }
}
