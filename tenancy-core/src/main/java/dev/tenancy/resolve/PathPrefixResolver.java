package dev.tenancy.resolve;

import dev.tenancy.TenantId;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** Reads the path segment right after a fixed prefix. */
final class PathPrefixResolver implements TenantResolver {
    private final String prefix;

    PathPrefixResolver(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (!prefix.startsWith("/") || !prefix.endsWith("/")) {
            throw new IllegalArgumentException(
                    "Path prefix must start and end with '/', like /t/, was '" + prefix + "'");
        }
        this.prefix = prefix;
    }

    @Override
    public Optional<TenantId> resolve(TenantRequest request) {
        String path = request.path();
        if (path == null || !path.startsWith(prefix)) {
            return Optional.empty();
        }
        int end = path.indexOf('/', prefix.length());
        int query = path.indexOf('?', prefix.length());
        if (query >= 0 && (end < 0 || query < end)) {
            end = query;
        }
        String segment = path.substring(prefix.length(), end < 0 ? path.length() : end);
        if (segment.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Resolvers.parse(name(), "The path segment after " + prefix, segment));
    }

    @Override
    public Set<String> headers() {
        return Set.of();
    }

    @Override
    public String name() {
        return "path";
    }

    @Override
    public String toString() {
        return "pathPrefix(" + prefix + ")";
    }
}
