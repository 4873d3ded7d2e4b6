package dev.tenancy.resolve;

import dev.tenancy.TenantId;
import java.util.Objects;

/**
 * Which tenant a request names, and which resolver said so.
 *
 * @param tenantId the tenant
 * @param resolver the {@link TenantResolver#name()} of the resolver that answered
 */
public record Resolution(TenantId tenantId, String resolver) {
    public Resolution {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(resolver, "resolver");
    }
}
