package dev.tenancy.flags;

import java.util.List;

/**
 * The shipped default plan entitlements: which features each tier (the catalog's {@code tier})
 * unlocks, as flag definitions of category {@link FlagCategory#ENTERPRISE}. Define them once (for
 * example at first start) and change them like any other flag.
 *
 * <table>
 *   <caption>Features by tier</caption>
 *   <tr><th>feature</th><th>free</th><th>standard</th><th>pro</th><th>business</th><th>enterprise</th></tr>
 *   <tr><td>basic-invoicing</td><td>✓</td><td>✓</td><td>✓</td><td>✓</td><td>✓</td></tr>
 *   <tr><td>inventory, reports</td><td></td><td>✓</td><td>✓</td><td>✓</td><td>✓</td></tr>
 *   <tr><td>projects, api-access</td><td></td><td></td><td>✓</td><td>✓</td><td>✓</td></tr>
 *   <tr><td>audit-trail, sso-saml, custom-domain</td><td></td><td></td><td></td><td>✓</td><td>✓</td></tr>
 *   <tr><td>dedicated-db</td><td></td><td></td><td></td><td></td><td>✓</td></tr>
 * </table>
 */
public final class PlanFeatures {
    private static final String[] STANDARD_UP = {"standard", "pro", "business", "enterprise"};
    private static final String[] PRO_UP = {"pro", "business", "enterprise"};
    private static final String[] BUSINESS_UP = {"business", "enterprise"};

    private PlanFeatures() {}

    /** The default definitions, one per feature. */
    public static List<FlagDefinition> defaults() {
        return List.of(
                feature("basic-invoicing", "Basic invoicing", "free", "standard", "pro", "business", "enterprise"),
                feature("inventory", "Inventory", STANDARD_UP),
                feature("reports", "Reports", STANDARD_UP),
                feature("projects", "Projects", PRO_UP),
                feature("api-access", "API access", PRO_UP),
                feature("audit-trail", "Audit trail", BUSINESS_UP),
                feature("sso-saml", "SSO / SAML", BUSINESS_UP),
                feature("custom-domain", "Custom domain", BUSINESS_UP),
                feature("dedicated-db", "Dedicated database", "enterprise"));
    }

    private static FlagDefinition feature(String key, String description, String... tiers) {
        return FlagDefinition.builder(key)
                .description(description)
                .category(FlagCategory.ENTERPRISE)
                .tiers(tiers)
                .build();
    }
}
