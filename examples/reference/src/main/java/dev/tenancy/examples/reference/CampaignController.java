package dev.tenancy.examples.reference;

import dev.tenancy.Tenant;
import dev.tenancy.billing.UsageMeter;
import dev.tenancy.context.TenantContext;
import dev.tenancy.flags.FeatureFlags;
import dev.tenancy.flags.FlagDefinition;
import dev.tenancy.flags.FlagStore;
import dev.tenancy.resolve.AdmittedTenant;
import dev.tenancy.spring.TenantFilter;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.springframework.data.domain.Sort;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The tenants' API, the host application's own code: nothing in it names a tenant, a schema or a
 * database. {@code /t/{tenant}/api/...} reaches the same endpoints by path.
 */
@RestController
@RequestMapping({"/api", "/t/{tenant}/api"})
public class CampaignController {
    /** A beta feature, off until platform staff turn it on for a tenant. */
    public static final String ADVANCED_ANALYTICS = "advanced-analytics";

    private final CampaignRepository campaigns;
    private final FeatureFlags flags;
    private final FlagStore flagStore;
    private final UsageMeter usage;

    public CampaignController(CampaignRepository campaigns, FeatureFlags flags, FlagStore flagStore, UsageMeter usage) {
        this.campaigns = campaigns;
        this.flags = flags;
        this.flagStore = flagStore;
        this.usage = usage;
    }

    /** Who the request is served as, and which features it has. */
    @GetMapping("/me")
    Map<String, Object> me(@RequestAttribute(TenantFilter.TENANT_ATTRIBUTE) AdmittedTenant admitted) {
        Tenant tenant = admitted.tenant();
        Map<String, Boolean> features = new LinkedHashMap<>();
        for (FlagDefinition definition : flagStore.definitions()) {
            features.put(definition.key(), flags.flag(definition.key()).isEnabled());
        }
        Map<String, Object> me = new LinkedHashMap<>();
        me.put("tenant", tenant.id().value());
        me.put("name", tenant.displayName());
        me.put("tier", tenant.tier());
        me.put("isolation", tenant.isolation().name());
        me.put("readOnly", TenantContext.isReadOnly());
        me.put("resolvedBy", admitted.resolvedBy());
        me.put("features", features);
        return me;
    }

    @GetMapping("/campaigns")
    @Transactional(readOnly = true)
    public List<Campaign> list() {
        return campaigns.findAll(Sort.by("id"));
    }

    /** One of the tenant's campaigns; another tenant's id is 404, exactly like an id that does not exist. */
    @GetMapping("/campaigns/{id}")
    @Transactional(readOnly = true)
    public Campaign one(@PathVariable long id) {
        return campaigns.findById(id).orElseThrow(() -> notFound(id));
    }

    /** Renames a campaign or changes its status: {@code {"name": "...", "status": "SCHEDULED"}}. */
    @PutMapping("/campaigns/{id}")
    @Transactional
    public Campaign change(@PathVariable long id, @RequestBody Map<String, String> body) {
        Campaign campaign = campaigns.findById(id).orElseThrow(() -> notFound(id));
        String name = body.get("name") == null ? campaign.getName() : name(body.get("name"));
        String status = body.get("status") == null ? campaign.getStatus() : body.get("status");
        if (!STATUSES.contains(status)) {
            throw new IllegalArgumentException("A campaign's status is one of " + STATUSES);
        }
        campaign.change(name, status);
        return campaign;
    }

    /** Deletes a campaign; 204, or 404 when the tenant has none with that id. */
    @DeleteMapping("/campaigns/{id}")
    @Transactional
    public ResponseEntity<Void> delete(@PathVariable long id) {
        campaigns.delete(campaigns.findById(id).orElseThrow(() -> notFound(id)));
        return ResponseEntity.noContent().build();
    }

    private static final List<String> STATUSES = List.of("DRAFT", "SCHEDULED", "SENT");

    private static NoSuchElementException notFound(long id) {
        return new NoSuchElementException("No campaign " + id + " here");
    }

    /** A campaign's name: 1 to 200 characters (the refusal names the length, never echoes the value). */
    private static String name(String name) {
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new IllegalArgumentException("A campaign needs a name of 1 to 200 characters, was "
                    + (name == null ? "missing" : name.isBlank() ? "blank" : name.length() + " characters"));
        }
        return name.strip();
    }

    @PostMapping("/campaigns")
    @Transactional
    public ResponseEntity<Campaign> create(@RequestBody Map<String, String> body) {
        String name = name(body.get("name"));
        usage.enforce(TenantContext.require(), dev.tenancy.billing.Metric.STORAGE_MB, 1); // room for more data
        usage.enforce(TenantContext.require(), Plans.CAMPAIGNS, 1); // the plan's campaigns a month, in memory
        Campaign saved = campaigns.save(new Campaign(name));
        return ResponseEntity.created(URI.create("/api/campaigns/" + saved.getId()))
                .body(saved);
    }

    /** A beta feature: answered only when the tenant has {@value #ADVANCED_ANALYTICS}. */
    @GetMapping("/analytics")
    @Transactional(readOnly = true)
    public ResponseEntity<?> analytics() {
        if (!flags.flag(ADVANCED_ANALYTICS).isEnabled()) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                    HttpStatus.FORBIDDEN,
                    "Advanced analytics is not enabled for tenant '"
                            + TenantContext.require().value() + "': it is in beta; ask your account manager to join");
            problem.setType(URI.create("https://tenancy.dev/problems/feature-disabled"));
            problem.setTitle("Feature not enabled");
            problem.setProperty("feature", ADVANCED_ANALYTICS);
            return ResponseEntity.status(HttpStatus.FORBIDDEN).body(problem);
        }
        return ResponseEntity.ok(Map.of(
                "campaigns", campaigns.count(),
                "drafts", campaigns.countByStatus("DRAFT")));
    }
}
