package dev.tenancy.catalog;

import dev.tenancy.internal.Hosts;
import dev.tenancy.internal.Quoted;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which custom domains a tenant may claim. Never: what is not a host name, an IP literal ({@code
 * 10.0.0.1}, {@code [::1]}), {@code localhost} or a name under it, or a name of one label ({@code
 * intranet}). With the platform's own names configured, also never one equal to or under a
 * platform domain (where tenants' subdomains live, {@code acme.app.example.com}) or equal to a
 * platform host ({@code admin.example.com}): so a custom domain cannot take over the platform's
 * hosts or another tenant's subdomain, and the custom-domain resolver ignores such hosts even when
 * the catalog holds them from before.
 *
 * @param platformDomains domains whose names are all the platform's (the subdomain resolver's base
 *     domains), normalised
 * @param platformHosts single hosts that are the platform's, normalised
 */
public record DomainRules(Set<String> platformDomains, Set<String> platformHosts) {
    public DomainRules {
        platformDomains = normalised(platformDomains, "platform domain");
        platformHosts = normalised(platformHosts, "platform host");
    }

    /** The rules every catalog applies, with no platform names of its own. */
    public static DomainRules basic() {
        return new DomainRules(Set.of(), Set.of());
    }

    /** Rules refusing {@code platformDomains} and every name under them, besides the basic ones. */
    public static DomainRules platformDomains(Collection<String> platformDomains) {
        return new DomainRules(Set.copyOf(platformDomains), Set.of());
    }

    /** These rules, also refusing each of {@code hosts}. */
    public DomainRules withPlatformHosts(Collection<String> hosts) {
        Set<String> all = new TreeSet<>(platformHosts);
        all.addAll(hosts);
        return new DomainRules(platformDomains, all);
    }

    /**
     * {@code domain} normalised (lowercase, no port, no trailing dot) when a tenant may claim it.
     *
     * @throws InvalidDomainException naming the domain, the rule and what to claim instead
     */
    public String requireClaimable(String domain) {
        String host = Hosts.normalize(domain);
        if (host == null) {
            throw refused(domain, "is not a host name (letters, digits and inner hyphens in dot-separated labels)");
        }
        String basic = basicViolation(host);
        if (basic != null) {
            throw refused(domain, basic);
        }
        for (String platform : platformDomains) {
            if (host.equals(platform) || host.endsWith("." + platform)) {
                throw refused(
                        domain,
                        "is the platform's domain " + platform + " or under it, where tenants' own subdomains live;"
                                + " claim a domain the tenant owns outside it");
            }
        }
        if (platformHosts.contains(host)) {
            throw refused(domain, "is one of the platform's own hosts");
        }
        return host;
    }

    /** Whether a request to {@code host} (normalised) may be served as a custom domain. */
    public boolean permits(String host) {
        if (host == null || basicViolation(host) != null || platformHosts.contains(host)) {
            return false;
        }
        for (String platform : platformDomains) {
            if (host.equals(platform) || host.endsWith("." + platform)) {
                return false;
            }
        }
        return true;
    }

    /** Which rule every catalog applies {@code host} (normalised) breaks, or {@code null}. */
    static String basicViolation(String host) {
        int dot = host.lastIndexOf('.');
        if (dot < 0) {
            return "has one label only; claim a fully qualified name such as shop.example.com";
        }
        if (host.equals("localhost") || host.endsWith(".localhost")) {
            return "is localhost or under it, which is every machine's own";
        }
        String top = host.substring(dot + 1);
        if (top.chars().allMatch(Character::isDigit)) {
            return "is an IP address (or ends in a numeric label); claim a DNS name";
        }
        return null;
    }

    private static InvalidDomainException refused(String domain, String rule) {
        return new InvalidDomainException(
                domain, "Domain " + Quoted.quote(domain) + " cannot be a custom domain: it " + rule);
    }

    private static Set<String> normalised(Set<String> names, String what) {
        Set<String> out = new TreeSet<>();
        for (String name : names) {
            String host = Hosts.normalize(name);
            if (host == null) {
                throw new IllegalArgumentException(
                        "Invalid " + what + " " + Quoted.quote(name) + ": expected a host name such as example.com");
            }
            out.add(host);
        }
        return Set.copyOf(out);
    }
}
