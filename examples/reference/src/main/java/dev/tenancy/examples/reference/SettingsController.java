package dev.tenancy.examples.reference;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.context.TenantContext;
import dev.tenancy.settings.TenantSettings;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * A tenant's settings (the seeds' {@code /tenant/settings} endpoints): every section, and a change
 * to one with only the fields it changes ({@code PUT /api/settings/branding} with {@code
 * {"primaryColor": "#ff6600"}}).
 */
@RestController
public class SettingsController {
    private final TenantSettings settings;

    public SettingsController(TenantSettings settings) {
        this.settings = settings;
    }

    @GetMapping({"/api/settings", "/t/{tenant}/api/settings"})
    Map<String, Object> all() {
        return settings.all(TenantContext.require());
    }

    @PutMapping({"/api/settings/{section}", "/t/{tenant}/api/settings/{section}"})
    Object change(@PathVariable("section") String section, @RequestBody String patch) {
        TenantId tenant = TenantContext.require();
        return settings.merge(
                tenant, section, patch, Actor.user("admin@" + tenant.value() + ".example", "company_admin"));
    }
}
