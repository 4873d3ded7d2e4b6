package dev.tenancy.catalog;

import dev.tenancy.TenantId;
import dev.tenancy.internal.Hosts;
import java.time.Instant;
import java.util.Objects;

/**
 * A custom domain mapped to a tenant. Only verified domains resolve requests; verifying ownership
 * (for example by a DNS TXT record) is the host's job, recorded here by {@link
 * TenantCatalog#verifyDomain}. A tenant's primary domain (at most one, verified) is the one its
 * links and emails use: its first verified domain, until {@link TenantCatalog#setPrimaryDomain}
 * names another.
 *
 * @param domain the normalised host name, lowercase, without port or trailing dot
 * @param tenantId the tenant it serves
 * @param verified whether ownership was verified
 * @param primary whether it is the tenant's primary domain
 * @param createdAt when it was added
 */
public record TenantDomain(String domain, TenantId tenantId, boolean verified, boolean primary, Instant createdAt) {
    public TenantDomain {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(createdAt, "createdAt");
        domain = Hosts.requireHost(domain);
        if (primary && !verified) {
            throw new IllegalArgumentException("Domain '" + domain + "' cannot be primary before it is verified");
        }
    }

    TenantDomain withPrimary(boolean isPrimary) {
        return new TenantDomain(domain, tenantId, verified, isPrimary, createdAt);
    }
}
