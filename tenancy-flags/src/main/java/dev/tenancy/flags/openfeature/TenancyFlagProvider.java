package dev.tenancy.flags.openfeature;

import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.EventProvider;
import dev.openfeature.sdk.Metadata;
import dev.openfeature.sdk.MutableStructure;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.ProviderEventDetails;
import dev.openfeature.sdk.Reason;
import dev.openfeature.sdk.Value;
import dev.tenancy.TenantId;
import dev.tenancy.context.TenantContext;
import dev.tenancy.flags.FeatureFlags;
import dev.tenancy.flags.FlagConfig;
import dev.tenancy.flags.FlagEvaluation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Tenancy's flags behind the standard OpenFeature API ({@code dev.openfeature:sdk}).
 *
 * <pre>{@code
 * OpenFeatureAPI.getInstance().setProviderAndWait(new TenancyFlagProvider(flags));
 * Client client = OpenFeatureAPI.getInstance().getClient();
 * client.getBooleanValue("advanced-analytics", false, new ImmutableContext(userId));
 * }</pre>
 *
 * <p>The tenant is the context attribute {@value #TENANT_ATTRIBUTE} when present, else the
 * current {@link TenantContext} tenant; the targeting key is the user (for rollouts by user).
 * Boolean flags answer with variant {@code on} or {@code off}; string, number and object flags
 * answer with the flag's configuration payload (the tenant's override's, else the definition's)
 * while the flag is on for the tenant, and with the caller's default (reason {@code DISABLED})
 * while it is off. Reasons: override, allowlist and plan are {@code TARGETING_MATCH} (the variant
 * says which), rollout is {@code SPLIT}, the flag's default is {@code DEFAULT}.
 *
 * <p>A change that reaches the flags on this node (made here or on another node, an override
 * expiring, a plan change) is emitted as {@code PROVIDER_CONFIGURATION_CHANGED} with the keys of
 * the flags whose values may differ, for handlers registered through {@code
 * OpenFeatureAPI.onProviderConfigurationChanged(...)} or a client's.
 */
public final class TenancyFlagProvider extends EventProvider {
    /** The context attribute naming the tenant. */
    public static final String TENANT_ATTRIBUTE = "tenantId";

    private final FeatureFlags flags;
    private volatile AutoCloseable changes;

    public TenancyFlagProvider(FeatureFlags flags) {
        this.flags = Objects.requireNonNull(flags, "flags");
    }

    /** Starts passing the flags' changes on as configuration-changed events (once, however often called). */
    @Override
    public synchronized void initialize(EvaluationContext evaluationContext) {
        if (changes != null) {
            return;
        }
        changes = flags.onChange(keys -> emitProviderConfigurationChanged(ProviderEventDetails.builder()
                .flagsChanged(List.copyOf(keys))
                .message("Tenancy flags changed: " + keys)
                .build()));
    }

    /** Stops passing changes on; the {@link FeatureFlags} stay open (their owner closes them). */
    @Override
    public synchronized void shutdown() {
        AutoCloseable subscription = changes;
        changes = null;
        if (subscription != null) {
            try {
                subscription.close();
            } catch (Exception e) {
                throw new IllegalStateException("Could not stop listening for flag changes", e);
            }
        }
        super.shutdown();
    }

    @Override
    public Metadata getMetadata() {
        return () -> "tenancy-flags";
    }

    @Override
    public ProviderEvaluation<Boolean> getBooleanEvaluation(String key, Boolean defaultValue, EvaluationContext ctx) {
        Optional<TenantId> tenant = tenant(ctx);
        if (tenant.isEmpty()) {
            return error(defaultValue, ErrorCode.INVALID_CONTEXT, noTenant());
        }
        FlagEvaluation e = flags.evaluate(key, tenant.get(), user(ctx));
        if (e.reason() == FlagEvaluation.Reason.ERROR) {
            return error(defaultValue, errorCode(e), "Flag '" + key + "': " + e.error());
        }
        return ProviderEvaluation.<Boolean>builder()
                .value(e.enabled())
                .variant(variant(e))
                .reason(reason(e).toString())
                .build();
    }

    @Override
    public ProviderEvaluation<String> getStringEvaluation(String key, String defaultValue, EvaluationContext ctx) {
        return typed(key, defaultValue, ctx, String.class);
    }

    @Override
    public ProviderEvaluation<Integer> getIntegerEvaluation(String key, Integer defaultValue, EvaluationContext ctx) {
        return typed(key, defaultValue, ctx, Integer.class);
    }

    @Override
    public ProviderEvaluation<Double> getDoubleEvaluation(String key, Double defaultValue, EvaluationContext ctx) {
        return typed(key, defaultValue, ctx, Double.class);
    }

    @Override
    public ProviderEvaluation<Value> getObjectEvaluation(String key, Value defaultValue, EvaluationContext ctx) {
        ProviderEvaluation<Object> raw = typed(key, null, ctx, Object.class);
        if (raw.getErrorCode() != null || raw.getValue() == null) {
            return ProviderEvaluation.<Value>builder()
                    .value(defaultValue)
                    .reason(raw.getReason())
                    .variant(raw.getVariant())
                    .errorCode(raw.getErrorCode())
                    .errorMessage(raw.getErrorMessage())
                    .build();
        }
        return ProviderEvaluation.<Value>builder()
                .value(toValue(raw.getValue()))
                .variant(raw.getVariant())
                .reason(raw.getReason())
                .build();
    }

    private <T> ProviderEvaluation<T> typed(String key, T defaultValue, EvaluationContext ctx, Class<T> type) {
        Optional<TenantId> tenant = tenant(ctx);
        if (tenant.isEmpty()) {
            return error(defaultValue, ErrorCode.INVALID_CONTEXT, noTenant());
        }
        FlagEvaluation e = flags.evaluate(key, tenant.get(), user(ctx));
        if (e.reason() == FlagEvaluation.Reason.ERROR) {
            return error(defaultValue, errorCode(e), "Flag '" + key + "': " + e.error());
        }
        if (!e.enabled()) {
            return ProviderEvaluation.<T>builder()
                    .value(defaultValue)
                    .variant("off")
                    .reason(Reason.DISABLED.toString())
                    .build();
        }
        FlagConfig<T> config = flags.flag(key).config(type); // the payload is parsed once per change
        String user = user(ctx);
        Optional<T> value = user == null ? config.get(tenant.get()) : config.get(tenant.get(), user);
        try {
            if (value.isEmpty()) { // none, or not a `type`: the raw read tells which
                value = flags.config(key, tenant.get(), type);
            }
        } catch (RuntimeException mismatch) {
            return error(
                    defaultValue,
                    ErrorCode.TYPE_MISMATCH,
                    "Flag '" + key + "': its configuration is not a " + type.getSimpleName());
        }
        if (value.isEmpty()) {
            return error(
                    defaultValue, ErrorCode.TYPE_MISMATCH, "Flag '" + key + "' has no configuration payload to read");
        }
        return ProviderEvaluation.<T>builder()
                .value(value.get())
                .variant(variant(e))
                .reason(reason(e).toString())
                .build();
    }

    private static Optional<TenantId> tenant(EvaluationContext ctx) {
        if (ctx != null) {
            Value attribute = ctx.getValue(TENANT_ATTRIBUTE);
            if (attribute != null && attribute.isString() && TenantId.isValid(attribute.asString())) {
                return Optional.of(TenantId.of(attribute.asString()));
            }
        }
        return TenantContext.current();
    }

    private static String user(EvaluationContext ctx) {
        String key = ctx == null ? null : ctx.getTargetingKey();
        return key == null || key.isEmpty() ? null : key;
    }

    private static String noTenant() {
        return "No tenant: set the context attribute '" + TENANT_ATTRIBUTE
                + "' or evaluate inside TenantContext.where(tenantId)";
    }

    private static Reason reason(FlagEvaluation e) {
        return switch (e.reason()) {
            case OVERRIDE, ALLOWLIST, PLAN -> Reason.TARGETING_MATCH;
            case ROLLOUT -> Reason.SPLIT;
            case DEFAULT -> Reason.DEFAULT;
            case ERROR -> Reason.ERROR;
        };
    }

    private static String variant(FlagEvaluation e) {
        return switch (e.reason()) {
            case OVERRIDE -> e.enabled() ? "override-on" : "override-off";
            case ALLOWLIST -> "allowlist";
            case PLAN -> "plan";
            case ROLLOUT -> "rollout";
            default -> e.enabled() ? "on" : "off";
        };
    }

    private static ErrorCode errorCode(FlagEvaluation e) {
        return switch (e.error()) {
            case FLAG_NOT_FOUND -> ErrorCode.FLAG_NOT_FOUND;
            case NO_TENANT -> ErrorCode.INVALID_CONTEXT;
            case STORE_UNAVAILABLE -> ErrorCode.PROVIDER_NOT_READY;
        };
    }

    private static <T> ProviderEvaluation<T> error(T defaultValue, ErrorCode code, String message) {
        return ProviderEvaluation.<T>builder()
                .value(defaultValue)
                .reason(Reason.ERROR.toString())
                .errorCode(code)
                .errorMessage(message)
                .build();
    }

    @SuppressWarnings("unchecked")
    private static Value toValue(Object json) {
        return switch (json) {
            case null -> new Value();
            case String s -> new Value(s);
            case Boolean b -> new Value(b);
            case Integer i -> new Value(i);
            case Long l -> new Value(l);
            case Number n -> new Value(n.doubleValue());
            case List<?> list -> {
                List<Value> values = new ArrayList<>(list.size());
                list.forEach(item -> values.add(toValue(item)));
                yield new Value(values);
            }
            case Map<?, ?> map -> {
                MutableStructure structure = new MutableStructure();
                ((Map<String, Object>) map).forEach((k, v) -> structure.add(k, toValue(v)));
                yield new Value(structure);
            }
            default -> new Value(json.toString());
        };
    }
}
