package dev.tenancy.provision;

import dev.tenancy.TenantId;

/** Provisioning stopped at a step; the tenant is not active, and running provisioning again resumes. */
public final class ProvisioningException extends RuntimeException {
    private final TenantId tenant;
    private final ProvisioningStep step;

    ProvisioningException(TenantId tenant, ProvisioningStep step, Throwable cause) {
        super(
                "Provisioning tenant '" + tenant + "' failed at " + step + ": " + cause.getMessage()
                        + ". The tenant is not active; provision it again to resume from " + step + ".",
                cause);
        this.tenant = tenant;
        this.step = step;
    }

    public TenantId tenant() {
        return tenant;
    }

    public ProvisioningStep step() {
        return step;
    }
}
