package dev.tenancy.billing;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The platform's module pricing: what each major module and minor add-on costs per month, the
 * bundles ("OS") sold at a bundle price, the currency, the day invoices are issued, the days until
 * payment is due, and whether unpaid subscriptions are enforced. Read from and written to the JSON
 * the admin console edits ({@link #fromJson}, {@link #toJson}):
 *
 * <pre>{@code
 * {"modules": {"wms_core": {"enabled": true, "monthlyPriceCents": 29900}, ...},
 *  "minorModules": {"advanced_returns": {"enabled": true, "monthlyPriceCents": 4900}},
 *  "bundles": {"commerce_os": {"name": "Commerce OS", "modules": ["wms_core", "module_b2b_storefront"],
 *              "monthlyPriceCents": 39800}},
 *  "currency": "USD", "invoiceIssueDay": 1, "paymentDueDays": 14, "enforceSubscription": true}
 * }</pre>
 *
 * <p>Every value is checked when the configuration is built or read; an invalid one is refused
 * with an error that names it and says what is allowed, and nothing is half-applied.
 *
 * @param modules major modules by key
 * @param minorModules minor add-ons by key
 * @param bundles bundles by key; a bundle's modules must all be major or minor modules
 * @param currency the currency of every price
 * @param invoiceIssueDay the day of the month invoices are dated, 1-28
 * @param paymentDueDays days from issue to due date, 0-365
 * @param enforceSubscription whether past-due tenants are restricted
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PricingConfig(
        Map<String, ModulePrice> modules,
        Map<String, ModulePrice> minorModules,
        Map<String, Bundle> bundles,
        String currency,
        int invoiceIssueDay,
        int paymentDueDays,
        boolean enforceSubscription) {

    /** A module's price; a disabled module is not sold (and not charged). */
    public record ModulePrice(boolean enabled, long monthlyPriceCents) {}

    /** Modules sold together at one monthly price when a tenant has all of them on. */
    public record Bundle(String name, List<String> modules, long monthlyPriceCents) {
        public Bundle {
            modules = modules == null ? List.of() : List.copyOf(modules);
        }
    }

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private static final List<String> FIELDS = List.of(
            "modules",
            "minorModules",
            "bundles",
            "currency",
            "invoiceIssueDay",
            "paymentDueDays",
            "enforceSubscription");

    public PricingConfig {
        modules = ordered(modules);
        minorModules = ordered(minorModules);
        bundles = ordered(bundles);
        List<String> problems = new ArrayList<>();
        try {
            Money.currency(currency);
            currency = currency.trim().toUpperCase(java.util.Locale.ROOT);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (invoiceIssueDay < 1 || invoiceIssueDay > 28) {
            problems.add("invoiceIssueDay must be 1-28 (a day every month has), was " + invoiceIssueDay);
        }
        if (paymentDueDays < 0 || paymentDueDays > 365) {
            problems.add("paymentDueDays must be 0-365, was " + paymentDueDays);
        }
        checkPrices("modules", modules, problems);
        checkPrices("minorModules", minorModules, problems);
        for (String key : minorModules.keySet()) {
            if (modules.containsKey(key)) {
                problems.add("'" + key + "' is both a module and a minor module: keep it in one of them");
            }
        }
        for (Map.Entry<String, Bundle> e : bundles.entrySet()) {
            String where = "bundles." + e.getKey();
            Bundle b = e.getValue();
            if (b == null) {
                problems.add(where + " is null: give it a name, modules and monthlyPriceCents");
                continue;
            }
            if (b.name() == null || b.name().isBlank()) {
                problems.add(where + ".name is missing: give the bundle a display name");
            }
            if (b.modules().isEmpty()) {
                problems.add(where + ".modules is empty: list the modules the bundle includes");
            }
            for (String m : b.modules()) {
                if (!modules.containsKey(m) && !minorModules.containsKey(m)) {
                    problems.add(where + " includes '" + m + "', which is not a module: add it to modules first");
                }
            }
            if (b.monthlyPriceCents() < 0) {
                problems.add(where + ".monthlyPriceCents must be >= 0, was " + b.monthlyPriceCents());
            }
        }
        if (bundles.size() > 20) {
            problems.add("at most 20 bundles, was " + bundles.size());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid pricing configuration: " + String.join("; ", problems));
        }
    }

    private static <V> Map<String, V> ordered(Map<String, V> map) {
        return map == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    private static void checkPrices(String where, Map<String, ModulePrice> prices, List<String> problems) {
        for (Map.Entry<String, ModulePrice> e : prices.entrySet()) {
            if (e.getKey() == null || !e.getKey().matches("[a-z][a-z0-9_-]{0,99}")) {
                problems.add(where + " has the key '" + e.getKey()
                        + "': use lowercase letters, digits, '-' or '_', starting with a letter");
            }
            if (e.getValue() == null) {
                problems.add(where + "." + e.getKey() + " is null: give it enabled and monthlyPriceCents");
            } else if (e.getValue().monthlyPriceCents() < 0) {
                problems.add(where + "." + e.getKey() + ".monthlyPriceCents must be >= 0, was "
                        + e.getValue().monthlyPriceCents());
            }
        }
    }

    /**
     * The shipped default: the six major modules and two add-ons at the admin manual's prices, its
     * five OS bundles, USD, invoices on the 1st, due in 14 days, enforcement on.
     */
    public static PricingConfig defaults() {
        Map<String, ModulePrice> modules = new LinkedHashMap<>();
        modules.put("wms_core", new ModulePrice(true, 29900));
        modules.put("module_3pl", new ModulePrice(true, 30000));
        modules.put("module_tms", new ModulePrice(true, 20000));
        modules.put("module_ground_ops", new ModulePrice(true, 40000));
        modules.put("module_b2b_storefront", new ModulePrice(true, 9900));
        modules.put("module_crm", new ModulePrice(true, 15000));
        Map<String, ModulePrice> minor = new LinkedHashMap<>();
        minor.put("advanced_returns", new ModulePrice(true, 4900));
        minor.put("edi_integration", new ModulePrice(false, 9900));
        Map<String, Bundle> bundles = new LinkedHashMap<>();
        bundles.put("warehouse_os", new Bundle("Warehouse OS", List.of("wms_core"), 29900));
        bundles.put("3pl_os", new Bundle("3PL OS", List.of("wms_core", "module_3pl"), 59900));
        bundles.put("transport_os", new Bundle("Transport OS", List.of("wms_core", "module_tms"), 49900));
        bundles.put("air_cargo_os", new Bundle("Air Cargo OS", List.of("wms_core", "module_ground_ops"), 69900));
        bundles.put("commerce_os", new Bundle("Commerce OS", List.of("wms_core", "module_b2b_storefront"), 39800));
        return new PricingConfig(modules, minor, bundles, "USD", 1, 14, true);
    }

    /** Reads and validates the JSON form. */
    public static PricingConfig fromJson(String json) {
        Objects.requireNonNull(json, "json");
        try {
            tools.jackson.databind.JsonNode tree = MAPPER.readTree(json);
            if (!tree.isObject()) {
                throw new IllegalArgumentException("Invalid pricing configuration JSON: expected an object with "
                        + FIELDS + ", was " + tree.getNodeType());
            }
            for (String name : tree.propertyNames()) {
                if (!FIELDS.contains(name)) {
                    throw new IllegalArgumentException("Invalid pricing configuration JSON: unknown field '" + name
                            + "'; the fields are " + FIELDS);
                }
            }
            return MAPPER.treeToValue(tree, PricingConfig.class);
        } catch (JacksonException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException invalid) {
                throw invalid;
            }
            throw new IllegalArgumentException(
                    "Invalid pricing configuration JSON at " + e.getPathReference() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** The JSON form, indented, in the order of this configuration's maps. */
    public String toJson() {
        return MAPPER.writeValueAsString(this);
    }

    public Currency currencyUnit() {
        return Money.currency(currency);
    }

    /** The monthly price of a sold (enabled) module or add-on, or empty. */
    public java.util.Optional<Money> price(String module) {
        ModulePrice p = modules.containsKey(module) ? modules.get(module) : minorModules.get(module);
        return p == null || !p.enabled()
                ? java.util.Optional.empty()
                : java.util.Optional.of(Money.of(p.monthlyPriceCents(), currency));
    }

    /** Every sold module and add-on key. */
    public Set<String> soldModules() {
        Set<String> all = new LinkedHashSet<>();
        modules.forEach((k, v) -> {
            if (v.enabled()) {
                all.add(k);
            }
        });
        minorModules.forEach((k, v) -> {
            if (v.enabled()) {
                all.add(k);
            }
        });
        return all;
    }
}
