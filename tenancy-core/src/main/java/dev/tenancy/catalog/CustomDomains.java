package dev.tenancy.catalog;

import dev.tenancy.Actor;
import dev.tenancy.Page;
import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.TenantOperation;
import dev.tenancy.internal.Quoted;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Custom domains that tenants prove they own. A tenant claims a domain ({@link #add}), which the
 * {@linkplain DomainRules rules} must allow (never the platform's own domains, another tenant's
 * subdomain, {@code localhost}, an IP literal or a single label); it then publishes the {@linkplain
 * DomainChallenge challenge}, a DNS TXT record carrying a token specific to the domain and the
 * tenant, and {@link #verify} checks it through DNS before the domain serves requests. {@link
 * #recheck} looks again at every verified domain (run it on a schedule): one whose record is gone,
 * or which the rules no longer allow, stops serving ({@link TenantCatalog#unverifyDomain}); one whose
 * DNS did not answer is left as it is and reported.
 *
 * <pre>{@code
 * CustomDomains domains = CustomDomains.builder(catalog)
 *         .rules(DomainRules.platformDomains(List.of("app.example.com")).withPlatformHosts(List.of("example.com")))
 *         .verificationKey(secret)            // the same on every node
 *         .build();                           // DNS: the JDK's provider and the system's resolvers
 * DomainChallenge challenge = domains.add(acme, "shop.acme.com", admin);
 * // publish TXT challenge.recordName() = challenge.recordValue(), then:
 * domains.verify(acme, "shop.acme.com", admin);
 * }</pre>
 */
public final class CustomDomains {
    /** The label the challenge record is published under, in front of the domain. */
    public static final String RECORD_LABEL = "_tenancy-challenge";

    private static final String VALUE_PREFIX = "tenancy-verification=";

    private final TenantCatalog catalog;
    private final DomainRules rules;
    private final TxtLookup lookup;
    private final byte[] key;

    private CustomDomains(Builder b) {
        this.catalog = b.catalog;
        this.rules = b.rules;
        this.lookup = b.lookup;
        this.key = b.key.clone();
    }

    public static Builder builder(TenantCatalog catalog) {
        return new Builder(catalog);
    }

    /** The rules domains are held to. */
    public DomainRules rules() {
        return rules;
    }

    /**
     * The record proving that {@code tenant} owns {@code domain}.
     *
     * @throws InvalidDomainException when the rules do not allow the domain
     */
    public DomainChallenge challenge(TenantId tenant, String domain) {
        String host = rules.requireClaimable(domain);
        return new DomainChallenge(host, tenant, RECORD_LABEL + "." + host, VALUE_PREFIX + token(tenant, host));
    }

    /**
     * Maps {@code domain} to {@code tenant}, unverified, and returns the record to publish.
     *
     * @throws InvalidDomainException when the rules do not allow the domain
     * @throws dev.tenancy.TenantOperationRefusedException when the tenant's status does not allow
     *     {@link TenantOperation#CHANGE_DOMAINS} (suspended, archived, rejected, purged)
     * @throws dev.tenancy.TenantAlreadyExistsException when the domain is mapped already
     */
    public DomainChallenge add(TenantId tenant, String domain, Actor actor) {
        DomainChallenge challenge = challenge(tenant, domain);
        TenantOperation.CHANGE_DOMAINS.require(catalog.require(tenant));
        catalog.addDomain(tenant, challenge.domain(), actor);
        return challenge;
    }

    /**
     * Verifies {@code tenant}'s {@code domain} when its challenge record is published: from then on
     * it serves the tenant's requests.
     *
     * @throws dev.tenancy.UnknownTenantException when the domain is not mapped to {@code tenant}
     * @throws DomainVerificationException when the record is missing or wrong, or DNS did not answer
     */
    public TenantDomain verify(TenantId tenant, String domain, Actor actor) {
        DomainChallenge challenge = challenge(tenant, domain);
        TenantOperation.CHANGE_DOMAINS.require(catalog.require(tenant));
        TenantDomain mapped = catalog.domains(tenant).stream()
                .filter(d -> d.domain().equals(challenge.domain()))
                .findFirst()
                .orElseThrow(() -> new dev.tenancy.UnknownTenantException(challenge.domain()));
        proven(challenge);
        return mapped.verified() ? mapped : catalog.verifyDomain(challenge.domain(), actor);
    }

    /** What {@link #recheck} found. */
    public record Recheck(List<String> kept, List<String> unverified, List<String> unanswered) {}

    /**
     * Looks again at every verified domain of every tenant: each whose challenge record is gone or
     * wrong, or which the rules no longer allow, is unverified (it stops serving at once, recorded
     * in the audit log as done by {@code actor}); each whose DNS did not answer is kept and listed.
     */
    public Recheck recheck(Actor actor) {
        List<String> kept = new ArrayList<>();
        List<String> unverified = new ArrayList<>();
        List<String> unanswered = new ArrayList<>();
        int offset = 0;
        while (true) {
            Page<Tenant> page = catalog.list(TenantQuery.builder()
                    .offset(offset)
                    .limit(TenantQuery.MAX_LIMIT)
                    .build());
            for (Tenant tenant : page.items()) {
                for (TenantDomain domain : catalog.domains(tenant.id())) {
                    if (!domain.verified()) {
                        continue;
                    }
                    try {
                        proven(challenge(tenant.id(), domain.domain()));
                        kept.add(domain.domain());
                    } catch (DomainVerificationException e) {
                        if (e.transientFailure()) {
                            unanswered.add(domain.domain());
                        } else {
                            catalog.unverifyDomain(domain.domain(), actor, e.getMessage());
                            unverified.add(domain.domain());
                        }
                    } catch (InvalidDomainException e) {
                        catalog.unverifyDomain(domain.domain(), actor, e.getMessage());
                        unverified.add(domain.domain());
                    }
                }
            }
            if (!page.hasNext()) {
                return new Recheck(List.copyOf(kept), List.copyOf(unverified), List.copyOf(unanswered));
            }
            offset += page.items().size();
        }
    }

    private void proven(DomainChallenge challenge) {
        List<String> records;
        try {
            records = lookup.txt(challenge.recordName());
        } catch (TxtLookup.DnsUnavailableException e) {
            throw new DomainVerificationException(
                    challenge.domain(),
                    "Could not verify domain " + challenge.domain() + ": " + e.getMessage() + "; try again later",
                    true,
                    e);
        }
        if (records.contains(challenge.recordValue())) {
            return;
        }
        String found = records.isEmpty()
                ? "there is no TXT record of that name"
                : "its TXT records are "
                        + String.join(
                                ", ",
                                records.stream().limit(5).map(Quoted::quote).toList());
        throw new DomainVerificationException(
                challenge.domain(),
                "Domain " + challenge.domain() + " is not verified for tenant '" + challenge.tenantId()
                        + "': publish a TXT"
                        + " record " + challenge.recordName() + " with the value " + challenge.recordValue() + "; "
                        + found,
                false,
                null);
    }

    private String token(TenantId tenant, String host) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] digest =
                    mac.doFinal(("tenancy-domain:" + tenant.value() + ":" + host).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    /** Builds {@link CustomDomains}. */
    public static final class Builder {
        private final TenantCatalog catalog;
        private DomainRules rules = DomainRules.basic();
        private TxtLookup lookup = TxtLookup.jdk();
        private byte[] key;

        private Builder(TenantCatalog catalog) {
            this.catalog = Objects.requireNonNull(catalog, "catalog");
        }

        /** The domains tenants may claim; by default {@link DomainRules#basic()}. */
        public Builder rules(DomainRules rules) {
            this.rules = Objects.requireNonNull(rules, "rules");
            return this;
        }

        /** How TXT records are read; by default {@link TxtLookup#jdk()}. */
        public Builder txtLookup(TxtLookup lookup) {
            this.lookup = Objects.requireNonNull(lookup, "lookup");
            return this;
        }

        /**
         * The secret the challenge tokens are derived from (at least 16 bytes, the same on every
         * node, kept out of the database): tokens cannot be guessed, and a new key invalidates
         * unpublished challenges. Required.
         */
        public Builder verificationKey(byte[] key) {
            Objects.requireNonNull(key, "key");
            if (key.length < 16) {
                throw new IllegalArgumentException(
                        "A domain verification key needs at least 16 bytes, got " + key.length);
            }
            this.key = key.clone();
            return this;
        }

        public CustomDomains build() {
            if (key == null) {
                throw new IllegalStateException("CustomDomains needs a verification key: call verificationKey(secret)");
            }
            return new CustomDomains(this);
        }
    }
}
