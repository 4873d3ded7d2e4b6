package dev.tenancy.resolve;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The facts of an incoming request that resolvers read, independent of any web framework: the
 * host, the path, the headers and the claims the host's security layer has already verified.
 * Framework adapters (a servlet filter, a Spring interceptor) build one per request.
 *
 * <pre>{@code
 * TenantRequest request = TenantRequest.builder()
 *         .host("acme.app.example.com").path("/api/orders").header("X-Request-Id", "42")
 *         .claim("tenant_id", "acme").build();
 * }</pre>
 *
 * @param host the Host header (may carry a port), or {@code null}
 * @param path the request path, or {@code null}
 * @param headers header values by lowercase name
 * @param claims verified claims of the authenticated principal; empty when not authenticated
 */
public record TenantRequest(String host, String path, Map<String, List<String>> headers, Map<String, Object> claims) {

    public TenantRequest {
        Map<String, List<String>> lower = new HashMap<>();
        headers.forEach((name, values) -> lower.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                .addAll(values));
        lower.replaceAll((k, v) -> List.copyOf(v));
        headers = Collections.unmodifiableMap(lower);
        claims = Collections.unmodifiableMap(new HashMap<>(claims));
    }

    /** The values of header {@code name} (case-insensitive); empty when absent. */
    public List<String> header(String name) {
        if (headers.isEmpty()) {
            return List.of();
        }
        // the keys are lower case: a name that already is needs no copy (a resolver asks on every request)
        List<String> values = headers.get(isLowerCase(name) ? name : name.toLowerCase(Locale.ROOT));
        return values == null ? List.of() : values;
    }

    private static boolean isLowerCase(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 'A' && c <= 'Z' || c > 127) {
                return false;
            }
        }
        return true;
    }

    /** The verified claim {@code name}, or {@code null}. */
    public Object claim(String name) {
        return claims.get(name);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link TenantRequest}. */
    public static final class Builder {
        private String host;
        private String path;
        private final Map<String, List<String>> headers = new HashMap<>();
        private final Map<String, Object> claims = new HashMap<>();

        private Builder() {}

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder path(String path) {
            this.path = path;
            return this;
        }

        /** Adds a header value; call again with the same name for a repeated header. */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(value);
            return this;
        }

        /** Adds a claim already verified by the host's security layer (for example from a JWT). */
        public Builder claim(String name, Object value) {
            claims.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public TenantRequest build() {
            return new TenantRequest(host, path, headers, claims);
        }
    }
}
