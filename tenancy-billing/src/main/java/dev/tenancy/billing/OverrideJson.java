package dev.tenancy.billing;

import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The stored JSON payload of each override kind. */
final class OverrideJson {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private OverrideJson() {}

    static String write(BillingOverride o) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (o) {
            case BillingOverride.PercentOff p -> m.put("basisPoints", p.basisPoints());
            case BillingOverride.FixedPrice f -> money(m, "monthly", f.monthly());
            case BillingOverride.LimitOverride l -> {
                m.put("metric", l.metric());
                m.put("max", l.limit().unlimited() ? null : l.limit().max());
                m.put("enforcement", l.limit().enforcement().name());
                if (l.limit().overagePrice() != null) {
                    money(m, "overage", l.limit().overagePrice());
                }
            }
            case BillingOverride.Comp c -> {}
            case BillingOverride.ExtendedTrial t -> m.put("days", t.days());
            case BillingOverride.CustomCycle c -> {
                m.put("months", c.cycle().months());
                m.put("anchorDay", c.anchorDay());
            }
            case BillingOverride.PaymentMethodOverride p ->
                m.put("method", p.method().name());
            case BillingOverride.FreePlatformAccess f -> {}
        }
        return JSON.writeValueAsString(m);
    }

    private static void money(Map<String, Object> m, String name, Money money) {
        m.put(name + "Minor", money.minor());
        m.put(name + "Currency", money.currency().getCurrencyCode());
    }

    private static Money money(Map<String, Object> m, String name) {
        return Money.of(((Number) m.get(name + "Minor")).longValue(), (String) m.get(name + "Currency"));
    }

    static BillingOverride read(String kind, String payload) {
        Map<String, Object> m = JSON.readValue(payload, MAP);
        if (kind.startsWith("limit:")) {
            Object max = m.get("max");
            return new BillingOverride.LimitOverride(
                    (String) m.get("metric"),
                    new Limit(
                            max == null ? Long.MAX_VALUE : ((Number) max).longValue(),
                            Limit.Enforcement.valueOf((String) m.get("enforcement")),
                            m.containsKey("overageMinor") ? money(m, "overage") : null));
        }
        return switch (kind) {
            case "percent_off" -> new BillingOverride.PercentOff(((Number) m.get("basisPoints")).intValue());
            case "fixed_price" -> new BillingOverride.FixedPrice(money(m, "monthly"));
            case "comp" -> new BillingOverride.Comp();
            case "extended_trial" -> new BillingOverride.ExtendedTrial(((Number) m.get("days")).intValue());
            case "custom_cycle" ->
                new BillingOverride.CustomCycle(
                        BillingCycle.custom(((Number) m.get("months")).intValue()),
                        ((Number) m.get("anchorDay")).intValue());
            case "payment_method" ->
                new BillingOverride.PaymentMethodOverride(PaymentMethod.valueOf((String) m.get("method")));
            case "free_platform_access" -> new BillingOverride.FreePlatformAccess();
            default -> throw new IllegalStateException("Unknown billing override kind '" + kind + "' in the database");
        };
    }
}
