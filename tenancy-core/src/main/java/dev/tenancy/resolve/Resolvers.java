package dev.tenancy.resolve;

import dev.tenancy.InvalidTenantIdException;
import dev.tenancy.TenantId;

/** Parsing shared by the standard resolvers. */
final class Resolvers {
    /** Longer values are refused before they are parsed or logged. */
    static final int MAX_VALUE_LENGTH = 256;

    private Resolvers() {}

    /** The request's normalised host, null when it has none; a malformed host is refused. */
    static String host(String resolver, TenantRequest request) {
        if (request.host() == null) {
            return null;
        }
        String host = dev.tenancy.internal.Hosts.normalize(request.host());
        if (host == null) {
            throw new InvalidTenantRequestException(resolver, "The Host header is not a valid host name", null);
        }
        return host;
    }

    static TenantId parse(String resolver, String source, String raw) {
        if (raw.length() > MAX_VALUE_LENGTH) {
            throw new InvalidTenantRequestException(
                    resolver,
                    source + " is " + raw.length() + " characters long; at most " + MAX_VALUE_LENGTH + " are accepted",
                    null);
        }
        try {
            return TenantId.of(raw);
        } catch (InvalidTenantIdException e) {
            throw new InvalidTenantRequestException(
                    resolver, source + " does not name a valid tenant: " + e.getMessage(), e);
        }
    }
}
