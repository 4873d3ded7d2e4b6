package dev.tenancy.examples.reference;

import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.TenantId;
import dev.tenancy.TenantStatus;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.flags.FeatureFlags;
import dev.tenancy.flags.FlagCategory;
import dev.tenancy.flags.FlagDefinition;
import dev.tenancy.flags.FlagStore;
import dev.tenancy.provision.TenantProvisioner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Demo tenants in every isolation model and lifecycle status, and the product's flags. Runs once
 * the application is configured, before the web server takes requests; skips what exists.
 */
@Component
@ConditionalOnBooleanProperty("reference.demo-data")
public class DemoData {
    private static final Logger LOG = LoggerFactory.getLogger(DemoData.class);
    private static final Actor SEED = Actor.system("reference-demo-data");

    private final TenantCatalog catalog;
    private final TenantProvisioner provisioner;
    private final FeatureFlags flags;
    private final FlagStore flagStore;
    private final Plans plans;

    public DemoData(
            TenantCatalog catalog,
            TenantProvisioner provisioner,
            FeatureFlags flags,
            FlagStore flagStore,
            Plans plans) {
        this.catalog = catalog;
        this.provisioner = provisioner;
        this.flags = flags;
        this.flagStore = flagStore;
        this.plans = plans;
    }

    @EventListener(ContextRefreshedEvent.class)
    public void load() {
        plans.publish(SEED);
        define(FlagDefinition.builder(CampaignController.ADVANCED_ANALYTICS)
                .description("Advanced campaign analytics (beta)")
                .category(FlagCategory.BETA)
                .off()
                .build());
        define(FlagDefinition.builder("sso")
                .description("Single sign-on")
                .category(FlagCategory.ENTERPRISE)
                .off()
                .tiers("enterprise")
                .build());
        define(FlagDefinition.builder("ai-subject-lines")
                .description("AI-suggested subject lines, rolled out to a quarter of tenants")
                .category(FlagCategory.BETA)
                .off()
                .rolloutByTenant(25)
                .build());

        active("acme", "Acme Corp", "pro", IsolationModel.SHARED);
        active("hooli", "Hooli", "free", IsolationModel.SHARED);
        active("globex", "Globex", "enterprise", IsolationModel.SCHEMA);
        active("initech", "Initech", "enterprise", IsolationModel.DATABASE);
        if (catalog.find(TenantId.of("umbrella")).isEmpty()) {
            catalog.register(
                    TenantRegistration.builder(TenantId.of("umbrella"), "Umbrella Labs")
                            .tier("pro")
                            .ownerEmail("ops@umbrella.example")
                            .build(),
                    SEED);
        }
        if (catalog.require(TenantId.of("hooli")).status() == TenantStatus.ACTIVE) {
            catalog.transition(TenantId.of("hooli"), TenantStatus.SUSPENDED, SEED, "Payment failed three times");
        }
        LOG.info("Demo data ready: acme, hooli (suspended), globex (schema), initech (database), umbrella (pending)");
    }

    private void define(FlagDefinition definition) {
        if (flagStore.definition(definition.key()).isEmpty()) {
            flags.define(definition, SEED, "demo data");
        }
    }

    private void active(String id, String name, String tier, IsolationModel isolation) {
        TenantId tenant = TenantId.of(id);
        if (catalog.find(tenant).isEmpty()) {
            catalog.register(
                    TenantRegistration.builder(tenant, name)
                            .tier(tier)
                            .isolation(isolation)
                            .ownerEmail("owner@" + id + ".example")
                            .build(),
                    SEED);
        }
        if (catalog.require(tenant).status() == TenantStatus.PENDING_APPROVAL) {
            provisioner.provision(tenant, SEED);
        }
        plans.subscribe(catalog.require(tenant), SEED);
    }
}
