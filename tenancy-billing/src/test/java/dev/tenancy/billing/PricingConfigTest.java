package dev.tenancy.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PricingConfigTest {
    static final String MANUAL_JSON = """
            {
            "modules": {
            "wms_core": { "enabled": true, "monthlyPriceCents": 29900 },
            "module_3pl": { "enabled": true, "monthlyPriceCents": 30000 },
            "module_tms": { "enabled": true, "monthlyPriceCents": 20000 },
            "module_ground_ops": { "enabled": true, "monthlyPriceCents": 40000 },
            "module_b2b_storefront": { "enabled": true, "monthlyPriceCents": 9900 },
            "module_crm": { "enabled": true, "monthlyPriceCents": 15000 }
            },
            "minorModules": {
            "advanced_returns": { "enabled": true, "monthlyPriceCents": 4900 },
            "edi_integration": { "enabled": false, "monthlyPriceCents": 9900 }
            },
            "currency": "USD",
            "invoiceIssueDay": 1,
            "paymentDueDays": 14,
            "enforceSubscription": true
            }
            """;

    @Test
    void reads_the_admin_manuals_json_as_it_is() {
        PricingConfig config = PricingConfig.fromJson(MANUAL_JSON);
        assertThat(config.price("wms_core")).contains(Money.of(29_900, "USD"));
        assertThat(config.price("edi_integration")).isEmpty(); // not sold
        assertThat(config.bundles()).isEmpty();
        assertThat(config.paymentDueDays()).isEqualTo(14);
    }

    @Test
    void exports_and_imports_without_loss() {
        PricingConfig defaults = PricingConfig.defaults();
        assertThat(PricingConfig.fromJson(defaults.toJson())).isEqualTo(defaults);
        assertThat(defaults.toJson()).contains("\"commerce_os\"").contains("\"monthlyPriceCents\" : 39800");
    }

    @Test
    void names_every_invalid_value_and_the_fix() {
        String bad = MANUAL_JSON
                .replace("\"invoiceIssueDay\": 1", "\"invoiceIssueDay\": 31")
                .replace("\"monthlyPriceCents\": 30000", "\"monthlyPriceCents\": -1")
                .replace("\"USD\"", "\"US DOLLARS\"");
        assertThatThrownBy(() -> PricingConfig.fromJson(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invoiceIssueDay must be 1-28")
                .hasMessageContaining("modules.module_3pl.monthlyPriceCents must be >= 0, was -1")
                .hasMessageContaining("'US DOLLARS' is not an ISO 4217 currency code");
    }

    @Test
    void refuses_unknown_fields_and_bundles_of_unknown_modules() {
        assertThatThrownBy(() -> PricingConfig.fromJson(MANUAL_JSON.replace("\"currency\"", "\"curency\"")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("curency");
        String bundle = MANUAL_JSON.replace("\"currency\"", """
                "bundles": {"x_os": {"name": "X OS", "modules": ["wms_core", "module_x"], "monthlyPriceCents": 1}},
                "currency\"""");
        assertThatThrownBy(() -> PricingConfig.fromJson(bundle))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bundles.x_os includes 'module_x', which is not a module");
    }

    @Test
    void refuses_malformed_json_with_its_position() {
        assertThatThrownBy(() -> PricingConfig.fromJson("{\"modules\": {"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Invalid pricing configuration JSON");
    }
}
