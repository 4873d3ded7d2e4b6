package dev.tenancy.examples.reference;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.catalog.CustomDomains;
import dev.tenancy.catalog.DomainChallenge;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantDomain;
import dev.tenancy.context.TenantContext;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * A tenant's custom domains (the seeds' {@code /tenant/domains} endpoints): add one (the answer
 * says which DNS TXT record to publish), verify it (through DNS), make it primary, remove it. The
 * platform's own names ({@code tenancy.resolution.base-domains}, {@code platform-hosts}),
 * {@code localhost}, IP literals and single labels are refused with a problem naming the rule.
 */
@RestController
public class DomainController {
    private final TenantCatalog catalog;
    private final CustomDomains domains;

    private final dev.tenancy.billing.UsageMeter usage;

    public DomainController(TenantCatalog catalog, CustomDomains domains, dev.tenancy.billing.UsageMeter usage) {
        this.catalog = catalog;
        this.domains = domains;
        this.usage = usage;
    }

    /** A domain and, until it is verified, the record that proves it is the tenant's. */
    record DomainView(
            String domain,
            boolean verified,
            boolean primary,
            java.time.Instant createdAt,
            String recordName,
            String recordValue) {}

    private DomainView view(TenantDomain d) {
        DomainChallenge challenge =
                domains.rules().permits(d.domain()) ? domains.challenge(d.tenantId(), d.domain()) : null;
        return new DomainView(
                d.domain(),
                d.verified(),
                d.primary(),
                d.createdAt(),
                challenge == null ? null : challenge.recordName(),
                challenge == null ? null : challenge.recordValue());
    }

    @GetMapping({"/api/domains", "/t/{tenant}/api/domains"})
    List<DomainView> list() {
        return catalog.domains(TenantContext.require()).stream().map(this::view).toList();
    }

    /** Adds {@code {"domain": "portal.acme.com"}}, unverified. */
    @PostMapping({"/api/domains", "/t/{tenant}/api/domains"})
    @ResponseStatus(HttpStatus.CREATED)
    DomainView add(@RequestBody Map<String, String> body) {
        TenantId tenant = TenantContext.require();
        String domain = body.get("domain");
        if (domain == null) {
            throw new IllegalArgumentException("Send the domain to add as {\"domain\": \"portal.example.com\"}");
        }
        domains.rules().requireClaimable(domain); // a bad name is a 400 before any quota
        usage.enforce(tenant, dev.tenancy.billing.Metric.CUSTOM_DOMAINS, 1); // the plan's custom domains
        domains.add(tenant, domain, admin(tenant));
        return view(own(domains.rules().requireClaimable(domain)));
    }

    /** Looks the domain's challenge record up in DNS; 422 naming the record when it is not there yet. */
    @PostMapping({"/api/domains/{domain}/verify", "/t/{tenant}/api/domains/{domain}/verify"})
    DomainView verify(@PathVariable("domain") String domain) {
        TenantId tenant = TenantContext.require();
        return view(domains.verify(tenant, own(domain).domain(), admin(tenant)));
    }

    @PostMapping({"/api/domains/{domain}/primary", "/t/{tenant}/api/domains/{domain}/primary"})
    DomainView makePrimary(@PathVariable("domain") String domain) {
        return view(catalog.setPrimaryDomain(own(domain).domain(), admin(TenantContext.require())));
    }

    @DeleteMapping({"/api/domains/{domain}", "/t/{tenant}/api/domains/{domain}"})
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void remove(@PathVariable("domain") String domain) {
        catalog.removeDomain(own(domain).domain(), admin(TenantContext.require()));
    }

    /** Another tenant's domain is as unknown here as an unmapped one. */
    private TenantDomain own(String domain) {
        return catalog.domains(TenantContext.require()).stream()
                .filter(d -> d.domain().equalsIgnoreCase(domain))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "No domain '" + domain + "' is mapped to this tenant; add it first"));
    }

    private static Actor admin(TenantId tenant) {
        return Actor.user("admin@" + tenant.value() + ".example", "company_admin");
    }
}
