package dev.tenancy;

import java.util.stream.Collectors;

/**
 * An operation {@link TenantOperation} does not allow in the tenant's status: changing the
 * settings of an archived tenant, exporting an active one. Nothing was changed.
 */
public final class TenantOperationRefusedException extends TenancyException {
    private static final long serialVersionUID = 1L;

    private final TenantId tenant;
    private final TenantStatus status;
    private final TenantOperation operation;

    public TenantOperationRefusedException(TenantId tenant, TenantStatus status, TenantOperation operation) {
        super("Tenant '" + tenant + "' is " + words(status) + ": " + operation.description()
                + " is allowed only for "
                + operation.allowedStatuses().stream()
                        .map(TenantOperationRefusedException::words)
                        .collect(Collectors.joining(", "))
                + " tenants");
        this.tenant = tenant;
        this.status = status;
        this.operation = operation;
    }

    private static String words(TenantStatus status) {
        return status.key().replace('_', ' ');
    }

    public TenantId tenant() {
        return tenant;
    }

    public TenantStatus status() {
        return status;
    }

    public TenantOperation operation() {
        return operation;
    }
}
