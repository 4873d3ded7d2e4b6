package dev.tenancy.resolve;

import dev.tenancy.catalog.DomainRules;
import dev.tenancy.catalog.TenantCatalog;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the tenant a request names, from one kind of fact (host, header, claim, path).
 *
 * <p>Contract: a resolver returns the tenant the request names, empty when the request does not
 * name one its way, and throws {@link InvalidTenantRequestException} when the request names one in
 * a malformed way; nothing malformed is ever passed on to the catalog or SQL. Resolvers are
 * stateless and thread-safe.
 *
 * <p>The standard resolvers, in the priority the seeds give them:
 *
 * <pre>{@code
 * List.of(TenantResolver.customDomain(catalog),          // app.acme.com -> acme (verified domains only)
 *         TenantResolver.subdomain("app.example.com"),   // acme.app.example.com -> acme
 *         TenantResolver.header(),                       // X-Tenant-ID: acme
 *         TenantResolver.claim("tenant_id"));            // verified token claim tenant_id = acme
 * }</pre>
 */
public interface TenantResolver {

    /** The header {@link #header()} reads. */
    String DEFAULT_HEADER = "X-Tenant-ID";

    /** The tenant {@code request} names, or empty. */
    Optional<dev.tenancy.TenantId> resolve(TenantRequest request);

    /** A short name recorded in {@link Resolution#resolver()} and error messages. */
    String name();

    /** {@link #headers()} of a resolver that may read any header. */
    Set<String> ANY_HEADER = Set.of("*");

    /**
     * The request headers this resolver reads (case-insensitive), so that a framework adapter can
     * copy only those into the {@link TenantRequest} (copying every header of a browser's request
     * costs microseconds); empty when it reads none. The default, {@link #ANY_HEADER}, makes
     * adapters copy every header: override it in a resolver of your own.
     */
    default Set<String> headers() {
        return ANY_HEADER;
    }

    /**
     * Resolves a request's host through the catalog's <em>verified</em> custom domains, except
     * hosts that {@link dev.tenancy.catalog.DomainRules#basic()} refuses ({@code localhost}, IP
     * literals, single labels). Prefer {@link #customDomain(TenantCatalog, DomainRules)} with the
     * platform's own domains.
     */
    static TenantResolver customDomain(TenantCatalog catalog) {
        return new CustomDomainResolver(catalog, DomainRules.basic());
    }

    /**
     * Resolves a request's host through the catalog's verified custom domains that {@code rules}
     * permit: a host under the platform's domains (another tenant's subdomain) or one of its own
     * hosts is never served as a custom domain, whatever the catalog holds.
     */
    static TenantResolver customDomain(TenantCatalog catalog, DomainRules rules) {
        return new CustomDomainResolver(catalog, rules);
    }

    /**
     * Resolves {@code <tenant>.<base domain>} hosts, for each base domain given; the label {@code
     * www} and hosts that are not exactly one label under a base domain name no tenant.
     */
    static TenantResolver subdomain(String... baseDomains) {
        return new SubdomainResolver(List.of(baseDomains), java.util.Set.of("www"));
    }

    /** Resolves the {@value #DEFAULT_HEADER} header. */
    static TenantResolver header() {
        return new HeaderResolver(DEFAULT_HEADER);
    }

    /** Resolves the header {@code name}. */
    static TenantResolver header(String name) {
        return new HeaderResolver(name);
    }

    /** Resolves a claim the host's security layer has verified, such as a JWT's {@code tenant_id}. */
    static TenantResolver claim(String claim) {
        return new ClaimResolver(claim);
    }

    /** Resolves the first path segment after {@code prefix}: {@code pathPrefix("/t/")} reads {@code /t/acme/orders}. */
    static TenantResolver pathPrefix(String prefix) {
        return new PathPrefixResolver(prefix);
    }
}
