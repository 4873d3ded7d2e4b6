package dev.tenancy.resolve;

import dev.tenancy.TenantId;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.internal.Hosts;
import java.util.Objects;
import java.util.Optional;

/** Looks the host up among the catalog's verified custom domains. */
final class CustomDomainResolver implements TenantResolver {
    private final TenantCatalog catalog;

    CustomDomainResolver(TenantCatalog catalog) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
    }

    @Override
    public Optional<TenantId> resolve(TenantRequest request) {
        if (request.host() == null) {
            return Optional.empty();
        }
        String host = Hosts.normalize(request.host());
        if (host == null) {
            throw new InvalidTenantRequestException(name(), "The Host header is not a valid host name", null);
        }
        return catalog.findByDomain(host);
    }

    @Override
    public String name() {
        return "custom-domain";
    }

    @Override
    public String toString() {
        return "customDomain";
    }
}
