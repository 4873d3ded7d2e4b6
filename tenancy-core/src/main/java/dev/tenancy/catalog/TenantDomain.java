package dev.tenancy.catalog;

import dev.tenancy.TenantId;
import dev.tenancy.internal.Hosts;
import java.time.Instant;
import java.util.Objects;

/**
 * A custom domain mapped to a tenant. Only verified domains resolve requests; verifying ownership
 * (for example by a DNS TXT record) is the host's job, recorded here by {@link
 * TenantCatalog#verifyDomain}.
 *
 * @param domain the normalised host name, lowercase, without port or trailing dot
 * @param tenantId the tenant it serves
 * @param verified whether ownership was verified
 * @param createdAt when it was added
 */
public record TenantDomain(String domain, TenantId tenantId, boolean verified, Instant createdAt) {
    public TenantDomain {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(createdAt, "createdAt");
        domain = Hosts.requireHost(domain);
    }
}
