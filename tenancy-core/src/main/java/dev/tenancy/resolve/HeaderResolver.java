package dev.tenancy.resolve;

import dev.tenancy.TenantId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** Reads one header; a repeated or oversized header is refused. */
final class HeaderResolver implements TenantResolver {
    private final String header;
    private final String key; // lower case, as TenantRequest keeps header names
    private final String name;

    HeaderResolver(String header) {
        Objects.requireNonNull(header, "header");
        if (header.isBlank()) {
            throw new IllegalArgumentException("Header name must not be blank");
        }
        this.header = header;
        this.key = header.toLowerCase(java.util.Locale.ROOT);
        this.name = "header";
    }

    @Override
    public Optional<TenantId> resolve(TenantRequest request) {
        List<String> values = request.header(key);
        if (values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw new InvalidTenantRequestException(
                    name, "The " + header + " header appears " + values.size() + " times; send it once", null);
        }
        return Optional.of(Resolvers.parse(name, "The " + header + " header", values.getFirst()));
    }

    @Override
    public Set<String> headers() {
        return Set.of(header);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "header(" + header + ")";
    }
}
