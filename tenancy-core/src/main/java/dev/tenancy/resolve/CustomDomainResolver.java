package dev.tenancy.resolve;

import dev.tenancy.TenantId;
import dev.tenancy.catalog.DomainRules;
import dev.tenancy.catalog.TenantCatalog;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** Looks the host up among the catalog's verified custom domains that the rules permit. */
final class CustomDomainResolver implements TenantResolver {
    private final TenantCatalog catalog;
    private final DomainRules rules;

    CustomDomainResolver(TenantCatalog catalog, DomainRules rules) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    @Override
    public Optional<TenantId> resolve(TenantRequest request) {
        String host = Resolvers.host(name(), request);
        if (host == null || !rules.permits(host)) {
            return Optional.empty();
        }
        return catalog.findByDomain(host);
    }

    @Override
    public Set<String> headers() {
        return Set.of();
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
