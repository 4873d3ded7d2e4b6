package dev.tenancy.flags.openfeature;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Reason;
import dev.openfeature.sdk.Value;
import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.context.TenantContext;
import dev.tenancy.flags.FeatureFlags;
import dev.tenancy.flags.FlagDefinition;
import dev.tenancy.flags.FlagOverride;
import dev.tenancy.flags.FlagStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tenancy's flags through the standard OpenFeature client. */
class TenancyFlagProviderTest {
    private static final Actor PM = Actor.user("pm-paula", "product_manager");
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");

    private FeatureFlags flags;
    private Client client;

    @BeforeEach
    void setUp() {
        flags = FeatureFlags.builder()
                .store(FlagStore.inMemory(AuditLog.inMemory()))
                .build();
        flags.define(FlagDefinition.builder("advanced-analytics").allow(ACME).build(), PM, "beta");
        flags.define(FlagDefinition.builder("new-inbox").rolloutByUser(50).build(), PM, "rollout");
        flags.define(
                FlagDefinition.builder("export-limits")
                        .on()
                        .config("{\"maxRows\": 1000, \"formats\": [\"csv\", \"xlsx\"]}")
                        .build(),
                PM,
                "limits");
        flags.define(
                FlagDefinition.builder("banner-text")
                        .on()
                        .config("\"Welcome!\"")
                        .build(),
                PM,
                "copy");
        flags.define(FlagDefinition.builder("page-size").on().config("50").build(), PM, "tuning");
        OpenFeatureAPI.getInstance().setProviderAndWait(new TenancyFlagProvider(flags));
        client = OpenFeatureAPI.getInstance().getClient();
    }

    @AfterEach
    void tearDown() {
        OpenFeatureAPI.getInstance().shutdown();
        flags.close();
    }

    private static ImmutableContext tenant(TenantId tenant, String user) {
        return new ImmutableContext(user, Map.of(TenancyFlagProvider.TENANT_ATTRIBUTE, new Value(tenant.value())));
    }

    @Test
    void aChange_isAConfigurationChangedEvent_namingTheFlag() throws Exception {
        BlockingQueue<List<String>> changed = new LinkedBlockingQueue<>();
        client.onProviderConfigurationChanged(details -> changed.add(details.getFlagsChanged()));

        flags.override(FlagOverride.on(GLOBEX, "advanced-analytics", "Beta for Globex"), PM);

        assertThat(changed.poll(10, TimeUnit.SECONDS)).containsExactly("advanced-analytics");
        assertThat(client.getBooleanValue("advanced-analytics", false, tenant(GLOBEX, "u1")))
                .isTrue();
    }

    @Test
    void initializedTwice_itStillEmitsEachChangeOnce() throws Exception {
        TenancyFlagProvider provider = new TenancyFlagProvider(flags);
        OpenFeatureAPI.getInstance().setProviderAndWait(provider); // replaces (and shuts down) the first
        provider.initialize(null);
        BlockingQueue<List<String>> changed = new LinkedBlockingQueue<>();
        client.onProviderConfigurationChanged(details -> changed.add(details.getFlagsChanged()));

        flags.override(FlagOverride.on(GLOBEX, "advanced-analytics", "Beta for Globex"), PM);

        assertThat(changed.poll(10, TimeUnit.SECONDS)).containsExactly("advanced-analytics");
        assertThat(changed.poll(300, TimeUnit.MILLISECONDS))
                .as("no second event")
                .isNull();
    }

    @Test
    void theTenant_comesFromTheContextAttribute_orTheTenantContext() {
        FlagEvaluationDetails<Boolean> acme = client.getBooleanDetails("advanced-analytics", false, tenant(ACME, "u1"));
        assertThat(acme.getValue()).isTrue();
        assertThat(acme.getReason()).isEqualTo(Reason.TARGETING_MATCH.toString());
        assertThat(acme.getVariant()).isEqualTo("allowlist");
        assertThat(client.getBooleanValue("advanced-analytics", true, tenant(GLOBEX, "u1")))
                .isFalse();
        assertThat(TenantContext.where(ACME).call(() -> client.getBooleanValue("advanced-analytics", false)))
                .isTrue();
    }

    @Test
    void noTenant_isAnInvalidContext_andTheCallersDefault() {
        FlagEvaluationDetails<Boolean> none = client.getBooleanDetails("advanced-analytics", true);
        assertThat(none.getValue()).isTrue();
        assertThat(none.getErrorCode()).isEqualTo(ErrorCode.INVALID_CONTEXT);
    }

    @Test
    void aMissingFlag_isFlagNotFound_withTheCallersDefault() {
        FlagEvaluationDetails<Boolean> missing = client.getBooleanDetails("nope", true, tenant(ACME, "u"));
        assertThat(missing.getValue()).isTrue();
        assertThat(missing.getErrorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);
    }

    @Test
    void theTargetingKey_isTheUser_forRolloutsByUser() {
        long on = IntStream.range(0, 400)
                .filter(i -> client.getBooleanValue("new-inbox", false, tenant(ACME, "user-" + i)))
                .count();
        assertThat(on).isBetween(150L, 250L);
        String lucky = IntStream.range(0, 50)
                .mapToObj(i -> "user-" + i)
                .filter(u -> client.getBooleanValue("new-inbox", false, tenant(ACME, u)))
                .findFirst()
                .orElseThrow();
        assertThat(client.getBooleanDetails("new-inbox", false, tenant(ACME, lucky))
                        .getReason())
                .isEqualTo(Reason.SPLIT.toString());
    }

    @Test
    void typedValues_comeFromTheConfigurationPayload_andAnOverrideReplacesIt() {
        assertThat(client.getStringValue("banner-text", "-", tenant(ACME, "u"))).isEqualTo("Welcome!");
        assertThat(client.getIntegerValue("page-size", 10, tenant(ACME, "u"))).isEqualTo(50);
        Value limits = client.getObjectValue("export-limits", new Value(), tenant(ACME, "u"));
        assertThat(limits.asStructure().getValue("maxRows").asInteger()).isEqualTo(1000);
        assertThat(limits.asStructure().getValue("formats").asList()).hasSize(2);

        flags.override(FlagOverride.off(GLOBEX, "page-size", "Uses the default page size"), PM);
        FlagEvaluationDetails<Integer> off = client.getIntegerDetails("page-size", 10, tenant(GLOBEX, "u"));
        assertThat(off.getValue()).isEqualTo(10);
        assertThat(off.getReason()).isEqualTo(Reason.DISABLED.toString());

        FlagEvaluationDetails<Integer> mismatch = client.getIntegerDetails("banner-text", 7, tenant(ACME, "u"));
        assertThat(mismatch.getValue()).isEqualTo(7);
        assertThat(mismatch.getErrorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
    }
}
