package dev.tenancy.examples.reference;

import dev.tenancy.TenantId;
import dev.tenancy.context.TenantContext;
import dev.tenancy.flags.FeatureFlags;
import dev.tenancy.flags.FlagDefinition;
import dev.tenancy.flags.FlagEvaluation;
import dev.tenancy.flags.FlagStore;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * A tenant's features (the seeds' {@code /tenant/features} endpoints): every flag with its value
 * for the tenant and why (an override, the plan, a rollout, the default), or one of them.
 */
@RestController
public class FeatureController {
    private final FeatureFlags flags;
    private final FlagStore store;

    public FeatureController(FeatureFlags flags, FlagStore store) {
        this.flags = flags;
        this.store = store;
    }

    @GetMapping({"/api/features", "/t/{tenant}/api/features"})
    List<FlagEvaluation> features() {
        TenantId tenant = TenantContext.require();
        return store.definitions().stream()
                .map(FlagDefinition::key)
                .sorted()
                .map(key -> flags.evaluate(key, tenant, null))
                .toList();
    }

    /** One feature; an unknown key answers its default (off) with the reason {@code ERROR}, as flags do. */
    @GetMapping({"/api/features/{key}", "/t/{tenant}/api/features/{key}"})
    FlagEvaluation feature(@PathVariable("key") String key) {
        return flags.evaluate(key, TenantContext.require(), null);
    }
}
