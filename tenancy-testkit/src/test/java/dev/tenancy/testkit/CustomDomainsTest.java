package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.AuditQuery;
import dev.tenancy.catalog.CustomDomains;
import dev.tenancy.catalog.DomainChallenge;
import dev.tenancy.catalog.DomainRules;
import dev.tenancy.catalog.DomainVerificationException;
import dev.tenancy.catalog.InvalidDomainException;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantDomain;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.catalog.TxtLookup;
import dev.tenancy.resolve.TenantRequest;
import dev.tenancy.resolve.TenantResolver;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Custom domains cannot be hijacked: a tenant may not claim the platform's names, another tenant's
 * subdomain, {@code localhost}, an IP literal or a single label; it proves ownership with a DNS TXT
 * record specific to the domain and itself, checked against a real DNS server (dnsmasq on
 * 127.0.0.1), and checked again on a schedule.
 */
class CustomDomainsTest {
    private static final Actor ADMIN = Actor.user("admin", "system_admin");
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");
    private static final byte[] KEY = "a domain verification key, 32 b".getBytes(StandardCharsets.UTF_8);
    private static final DomainRules RULES =
            DomainRules.platformDomains(List.of("app.example.com")).withPlatformHosts(List.of("example.com"));

    private AuditLog audit;
    private TenantCatalog catalog;
    private TestDns dns;
    private CustomDomains domains;

    @BeforeEach
    void setUp() {
        audit = AuditLog.inMemory();
        catalog = TenantCatalog.inMemory(audit);
        catalog.register(TenantRegistration.builder(ACME, "Acme").active().build(), ADMIN);
        catalog.register(TenantRegistration.builder(GLOBEX, "Globex").active().build(), ADMIN);
        dns = TestDns.start(Map.of());
        domains = CustomDomains.builder(catalog)
                .rules(RULES)
                .verificationKey(KEY)
                .txtLookup(TxtLookup.jdk(dns.address()))
                .build();
    }

    @AfterEach
    void tearDown() {
        if (dns != null) {
            dns.close();
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "localhost",
                "LOCALHOST:8080",
                "globex.localhost",
                "127.0.0.1",
                "10.0.0.1:443",
                "[::1]",
                "::1",
                "intranet",
                "app.example.com",
                "globex.app.example.com",
                "deep.globex.app.example.com",
                "example.com",
                "bad_name.com",
                ""
            })
    void domains_a_tenant_may_not_claim_are_refused_naming_the_rule(String domain) {
        assertThatThrownBy(() -> domains.add(ACME, domain, ADMIN))
                .isInstanceOf(InvalidDomainException.class)
                .hasMessageStartingWith("Domain '")
                .hasMessageContaining("cannot be a custom domain");
        assertThat(catalog.domains(ACME)).as("nothing is mapped").isEmpty();
    }

    @Test
    void the_catalog_itself_refuses_localhost_ip_literals_and_single_labels() {
        for (String domain : List.of("localhost", "127.0.0.1", "intranet")) {
            assertThatThrownBy(() -> catalog.addDomain(ACME, domain, ADMIN)).isInstanceOf(InvalidDomainException.class);
        }
    }

    @Test
    void control_and_bidi_characters_in_a_refused_domain_are_escaped_in_the_message() {
        assertThatThrownBy(() -> domains.add(ACME, "evil\u202e.com\n\u200b", ADMIN))
                .hasMessageContaining("evil\\u202e.com\\u000a\\u200b")
                .hasMessageNotContaining("\u202e")
                .hasMessageNotContaining("\n");
    }

    @Test
    void a_domain_verifies_only_once_its_challenge_record_is_published() {
        DomainChallenge challenge = domains.add(ACME, "Shop.Acme.test", ADMIN);
        assertThat(challenge.domain()).isEqualTo("shop.acme.test");
        assertThat(challenge.recordName()).isEqualTo("_tenancy-challenge.shop.acme.test");
        assertThat(challenge.recordValue()).startsWith("tenancy-verification=").hasSize(21 + 32);

        assertThatThrownBy(() -> domains.verify(ACME, "shop.acme.test", ADMIN))
                .isInstanceOf(DomainVerificationException.class)
                .hasMessageContaining("publish a TXT record _tenancy-challenge.shop.acme.test with the value "
                        + challenge.recordValue())
                .hasMessageContaining("there is no TXT record of that name")
                .satisfies(e -> assertThat(((DomainVerificationException) e).transientFailure())
                        .isFalse());
        assertThat(resolve("shop.acme.test")).as("unverified: serves no one").isEmpty();

        dns.serve(Map.of(challenge.recordName(), List.of("v=spf1 -all", challenge.recordValue())));
        TenantDomain verified = domains.verify(ACME, "shop.acme.test", ADMIN);
        assertThat(verified.verified()).isTrue();
        assertThat(resolve("shop.acme.test")).contains(ACME);
    }

    @Test
    void a_record_published_for_another_tenant_or_another_domain_does_not_verify() {
        DomainChallenge globexChallenge = domains.challenge(GLOBEX, "shop.acme.test");
        DomainChallenge otherDomain = domains.challenge(ACME, "www.acme.test");
        domains.add(ACME, "shop.acme.test", ADMIN);
        // The previous owner's record (globex), and acme's record for another name, both under the right name.
        dns.serve(Map.of(
                "_tenancy-challenge.shop.acme.test",
                List.of(globexChallenge.recordValue(), otherDomain.recordValue())));
        assertThatThrownBy(() -> domains.verify(ACME, "shop.acme.test", ADMIN))
                .isInstanceOf(DomainVerificationException.class)
                .hasMessageContaining("its TXT records are");
        assertThat(globexChallenge.recordValue())
                .isNotEqualTo(domains.challenge(ACME, "shop.acme.test").recordValue());
    }

    @Test
    void a_tenant_cannot_verify_another_tenants_domain() {
        DomainChallenge challenge = domains.add(GLOBEX, "portal.globex.test", ADMIN);
        dns.serve(Map.of(challenge.recordName(), List.of(challenge.recordValue())));
        assertThatThrownBy(() -> domains.verify(ACME, "portal.globex.test", ADMIN))
                .isInstanceOf(dev.tenancy.UnknownTenantException.class);
        assertThat(resolve("portal.globex.test")).isEmpty();
    }

    @Test
    void when_dns_does_not_answer_verification_fails_as_transient() {
        domains.add(ACME, "shop.acme.test", ADMIN);
        dns.stop();
        assertThatThrownBy(() -> domains.verify(ACME, "shop.acme.test", ADMIN))
                .isInstanceOf(DomainVerificationException.class)
                .hasMessageContaining("try again later")
                .satisfies(e -> assertThat(((DomainVerificationException) e).transientFailure())
                        .isTrue());
    }

    @Test
    void a_recheck_unverifies_a_domain_whose_record_is_gone_and_keeps_one_whose_dns_did_not_answer() {
        DomainChallenge shop = domains.add(ACME, "shop.acme.test", ADMIN);
        DomainChallenge www = domains.add(ACME, "www.acme.test", ADMIN);
        dns.serve(Map.of(
                shop.recordName(), List.of(shop.recordValue()),
                www.recordName(), List.of(www.recordValue())));
        domains.verify(ACME, "shop.acme.test", ADMIN);
        domains.verify(ACME, "www.acme.test", ADMIN);
        assertThat(catalog.primaryDomain(ACME)).map(TenantDomain::domain).contains("shop.acme.test");

        dns.serve(Map.of(www.recordName(), List.of(www.recordValue())));
        CustomDomains.Recheck recheck = domains.recheck(ADMIN);
        assertThat(recheck.unverified()).containsExactly("shop.acme.test");
        assertThat(recheck.kept()).containsExactly("www.acme.test");
        assertThat(resolve("shop.acme.test")).as("stops serving at once").isEmpty();
        assertThat(catalog.primaryDomain(ACME))
                .as("the next verified domain becomes primary")
                .map(TenantDomain::domain)
                .contains("www.acme.test");
        assertThat(audit.query(AuditQuery.builder().action("unverify").build()).items())
                .singleElement()
                .satisfies(
                        e -> assertThat(e.metadata().get("reason")).asString().contains("publish a TXT record"));

        dns.stop();
        CustomDomains.Recheck unanswered = domains.recheck(ADMIN);
        assertThat(unanswered.unanswered()).containsExactly("www.acme.test");
        assertThat(resolve("www.acme.test"))
                .as("a DNS outage takes no domain down")
                .contains(ACME);
    }

    @Test
    void a_verified_domain_under_the_platforms_domain_never_outranks_the_tenants_subdomain() {
        // Held by the catalog from before the rules (added and verified directly): still never served.
        catalog.addDomain(ACME, "globex.app.example.com", ADMIN);
        catalog.verifyDomain("globex.app.example.com", ADMIN);
        catalog.addDomain(ACME, "example.com", ADMIN);
        catalog.verifyDomain("example.com", ADMIN);
        assertThat(resolve("globex.app.example.com")).isEmpty();
        assertThat(resolve("example.com")).isEmpty();
        assertThat(TenantResolver.subdomain("app.example.com")
                        .resolve(TenantRequest.builder()
                                .host("globex.app.example.com")
                                .build()))
                .contains(GLOBEX);

        // And a recheck takes them down.
        assertThat(domains.recheck(ADMIN).unverified())
                .containsExactlyInAnyOrder("globex.app.example.com", "example.com");
    }

    private Optional<TenantId> resolve(String host) {
        return TenantResolver.customDomain(catalog, RULES)
                .resolve(TenantRequest.builder().host(host).build());
    }
}
