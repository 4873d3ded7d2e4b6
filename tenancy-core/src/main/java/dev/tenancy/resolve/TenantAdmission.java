package dev.tenancy.resolve;

import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.TenantNotActiveException;
import dev.tenancy.TenantOperation;
import dev.tenancy.UnknownTenantException;
import dev.tenancy.audit.SecurityEvents;
import dev.tenancy.catalog.TenantCatalog;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a request into a tenant it may be served as: resolve (the resolvers, in order) and admit
 * (the catalog says the tenant exists and may be served).
 *
 * <pre>{@code
 * TenantAdmission admission = TenantAdmission.builder()
 *         .catalog(catalog)
 *         .resolvers(TenantResolver.customDomain(catalog), TenantResolver.subdomain("app.example.com"),
 *                 TenantResolver.header(), TenantResolver.claim("tenant_id"))
 *         .authenticatedClaim("tenant_id")
 *         .build();
 * AdmittedTenant tenant = admission.admit(request);
 * tenant.scope().run(() -> handle(request));
 * }</pre>
 *
 * <p>Every resolver is consulted. When they all name the same tenant (or none), that tenant is
 * the answer, recorded as found by the first in priority order; when two name different tenants
 * (an {@code X-Tenant-ID} header naming globex on acme's subdomain, a path {@code /t/initech/}
 * on a custom domain of acme's), the request is refused with {@link TenantMismatchException}. When
 * an {@linkplain Builder#authenticatedClaim(String) authenticated claim} is configured and present,
 * any resolver naming another tenant gets the request refused the same way: a header never
 * overrides who the caller is.
 *
 * <p>Immutable and thread-safe.
 */
public final class TenantAdmission {
    private final TenantCatalog catalog;
    private final TenantResolver[] resolvers;
    private final ClaimResolver authenticated;
    private final boolean archivedReadOnly;
    private final String names;
    private final Set<String> headers;
    private final SecurityEvents security;

    private TenantAdmission(Builder b) {
        this.catalog = b.catalog;
        this.resolvers = b.resolvers.toArray(TenantResolver[]::new);
        this.authenticated = b.authenticatedClaim == null ? null : new ClaimResolver(b.authenticatedClaim);
        this.archivedReadOnly = b.archivedReadOnly;
        this.names = b.resolvers.stream().map(TenantResolver::name).toList().toString();
        this.headers = headersRead(b.resolvers);
        this.security = b.security;
    }

    private static Set<String> headersRead(List<TenantResolver> resolvers) {
        Set<String> read = new LinkedHashSet<>();
        for (TenantResolver resolver : resolvers) {
            Set<String> headers = resolver.headers();
            if (headers.contains("*")) {
                return TenantResolver.ANY_HEADER;
            }
            for (String header : headers) {
                read.add(header.toLowerCase(Locale.ROOT));
            }
        }
        return Set.copyOf(read);
    }

    /**
     * The headers the resolvers read (lowercase), or {@link TenantResolver#ANY_HEADER}: a framework
     * adapter copies only these into the {@link TenantRequest} it builds.
     */
    public Set<String> headers() {
        return headers;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Which tenant {@code request} names.
     *
     * @throws TenantNotResolvedException when no resolver finds one
     * @throws TenantMismatchException when two resolvers, or a resolver and the authenticated claim,
     *     name different tenants
     * @throws InvalidTenantRequestException when the request names a tenant in a malformed way
     */
    public Resolution resolve(TenantRequest request) {
        Objects.requireNonNull(request, "request");
        TenantId principal =
                authenticated == null ? null : authenticated.resolve(request).orElse(null);
        TenantId found = null;
        TenantResolver by = null;
        // Every resolver is asked: a request whose facts (host, path, header, claim) name two
        // tenants is refused, never served as whichever resolver comes first.
        for (TenantResolver resolver : resolvers) {
            Optional<TenantId> named = resolver.resolve(request);
            if (named.isEmpty()) {
                continue;
            }
            TenantId id = named.get();
            if (principal != null && !principal.equals(id)) {
                refuse(principal, id, resolver.name(), request, null);
            }
            if (found == null) {
                found = id;
                by = resolver;
            } else if (!found.equals(id)) {
                refuse(found, id, resolver.name(), request, by.name());
            }
        }
        if (found == null) {
            throw new TenantNotResolvedException(names);
        }
        return new Resolution(found, by.name());
    }

    private void refuse(TenantId first, TenantId other, String resolver, TenantRequest request, String firstResolver) {
        if (security != null) {
            security.crossTenantRequest(first, other, resolver, request.path());
        }
        throw new TenantMismatchException(first, other, resolver, firstResolver);
    }

    /**
     * The tenant {@code request} may be served as.
     *
     * @throws UnknownTenantException when the named tenant is not in the catalog
     * @throws TenantNotActiveException when it may not be served in its status
     * @see #resolve(TenantRequest) for the resolution errors
     */
    public AdmittedTenant admit(TenantRequest request) {
        Resolution resolution = resolve(request);
        return admit(resolution.tenantId(), resolution.resolver());
    }

    /** The tenant {@code id} may be served as, for work that does not start from a request. */
    public AdmittedTenant admit(TenantId id) {
        return admit(id, "direct");
    }

    private AdmittedTenant admit(TenantId id, String resolvedBy) {
        Optional<Tenant> found = catalog.find(id);
        if (found.isEmpty()) {
            throw new UnknownTenantException(id.value());
        }
        Tenant tenant = found.get();
        if (TenantOperation.SERVE.allowedIn(tenant.status())) {
            return new AdmittedTenant(tenant, resolvedBy, false);
        }
        if (archivedReadOnly && TenantOperation.SERVE_READ_ONLY.allowedIn(tenant.status())) {
            return new AdmittedTenant(tenant, resolvedBy, true);
        }
        throw new TenantNotActiveException(id, tenant.status(), tenant.statusReason());
    }

    /** Builds a {@link TenantAdmission}. */
    public static final class Builder {
        private TenantCatalog catalog;
        private List<TenantResolver> resolvers;
        private String authenticatedClaim;
        private boolean archivedReadOnly;
        private SecurityEvents security;

        private Builder() {}

        /** The catalog that admits tenants; required. Use a {@linkplain TenantCatalog#cached cached} one. */
        public Builder catalog(TenantCatalog catalog) {
            if (this.catalog != null) {
                throw new IllegalStateException("catalog was already set to " + this.catalog);
            }
            this.catalog = Objects.requireNonNull(catalog, "catalog");
            return this;
        }

        /** The resolvers, in priority order; required. */
        public Builder resolvers(TenantResolver... resolvers) {
            if (this.resolvers != null) {
                throw new IllegalStateException("resolvers were already set to " + this.resolvers);
            }
            this.resolvers = List.of(resolvers);
            return this;
        }

        /** The verified claim naming the authenticated principal's tenant, which no resolver may contradict. */
        public Builder authenticatedClaim(String claim) {
            this.authenticatedClaim = Objects.requireNonNull(claim, "claim");
            return this;
        }

        /**
         * Records each request refused because its authenticated tenant and the tenant it names
         * differ ({@value SecurityEvents#CROSS_TENANT_REQUEST}); none by default.
         */
        public Builder securityEvents(SecurityEvents security) {
            this.security = Objects.requireNonNull(security, "security");
            return this;
        }

        /** Whether archived tenants are admitted read-only (within their retention window); off by default. */
        public Builder archivedReadOnly(boolean archivedReadOnly) {
            this.archivedReadOnly = archivedReadOnly;
            return this;
        }

        public TenantAdmission build() {
            if (catalog == null) {
                throw new IllegalStateException("TenantAdmission needs a catalog: call catalog(...)");
            }
            if (resolvers == null || resolvers.isEmpty()) {
                throw new IllegalStateException(
                        "TenantAdmission needs at least one resolver: call resolvers(TenantResolver.header(), ...)");
            }
            return new TenantAdmission(this);
        }
    }
}
