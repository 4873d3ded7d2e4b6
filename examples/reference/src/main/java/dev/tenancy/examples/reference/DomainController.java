package dev.tenancy.examples.reference;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
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
 * A tenant's custom domains (the seeds' {@code /tenant/domains} endpoints): add one, verify it,
 * make it primary, remove it. A deployment verifies ownership itself (a DNS TXT record it asked
 * for) before calling verify; the demo trusts the tenant's admin.
 */
@RestController
public class DomainController {
    private final TenantCatalog catalog;

    public DomainController(TenantCatalog catalog) {
        this.catalog = catalog;
    }

    @GetMapping({"/api/domains", "/t/{tenant}/api/domains"})
    List<TenantDomain> list() {
        return catalog.domains(TenantContext.require());
    }

    /** Adds {@code {"domain": "portal.acme.com"}}, unverified. */
    @PostMapping({"/api/domains", "/t/{tenant}/api/domains"})
    @ResponseStatus(HttpStatus.CREATED)
    TenantDomain add(@RequestBody Map<String, String> body) {
        TenantId tenant = TenantContext.require();
        return catalog.addDomain(tenant, body.get("domain"), admin(tenant));
    }

    @PostMapping({"/api/domains/{domain}/verify", "/t/{tenant}/api/domains/{domain}/verify"})
    TenantDomain verify(@PathVariable("domain") String domain) {
        return catalog.verifyDomain(own(domain).domain(), admin(TenantContext.require()));
    }

    @PostMapping({"/api/domains/{domain}/primary", "/t/{tenant}/api/domains/{domain}/primary"})
    TenantDomain makePrimary(@PathVariable("domain") String domain) {
        return catalog.setPrimaryDomain(own(domain).domain(), admin(TenantContext.require()));
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
