package dev.tenancy.resolve;

import dev.tenancy.TenantId;
import dev.tenancy.internal.Hosts;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Reads the single label in front of a configured base domain. */
final class SubdomainResolver implements TenantResolver {
    private final List<String> suffixes;
    private final Set<String> ignoredLabels;

    SubdomainResolver(List<String> baseDomains, Set<String> ignoredLabels) {
        if (baseDomains.isEmpty()) {
            throw new IllegalArgumentException(
                    "Subdomain resolution needs at least one base domain, like app.example.com");
        }
        this.suffixes =
                baseDomains.stream().map(d -> "." + Hosts.requireHost(d)).toList();
        this.ignoredLabels = Set.copyOf(ignoredLabels);
    }

    @Override
    public Optional<TenantId> resolve(TenantRequest request) {
        String host = Resolvers.host(name(), request);
        if (host == null) {
            return Optional.empty();
        }
        for (String suffix : suffixes) {
            int labelLength = host.length() - suffix.length();
            if (labelLength > 0 && host.endsWith(suffix)) {
                if (host.lastIndexOf('.', labelLength - 1) >= 0) {
                    return Optional.empty(); // deeper than one label: not a tenant host
                }
                String label = host.substring(0, labelLength);
                if (ignoredLabels.contains(label)) {
                    return Optional.empty();
                }
                return Optional.of(Resolvers.parse(name(), "The subdomain of " + host, label));
            }
        }
        return Optional.empty();
    }

    @Override
    public Set<String> headers() {
        return Set.of();
    }

    @Override
    public String name() {
        return "subdomain";
    }

    @Override
    public String toString() {
        return "subdomain" + suffixes;
    }
}
