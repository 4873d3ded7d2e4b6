package dev.tenancy.provision;

import dev.tenancy.TenantId;
import java.time.Instant;

/** Another provisioner holds this tenant's lease: two provisionings of one tenant never run at once. */
public final class ProvisioningInProgressException extends RuntimeException {
    private final TenantId tenant;

    ProvisioningInProgressException(TenantId tenant, String owner, Instant until) {
        super("Tenant '" + tenant + "' is being provisioned by " + owner + " (lease until " + until
                + "); wait for it to finish, or retry after the lease expires if that provisioner died.");
        this.tenant = tenant;
    }

    public TenantId tenant() {
        return tenant;
    }
}
