package dev.tenancy.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import dev.tenancy.ReadOnlyScopeException;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.AuditQuery;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.catalog.TenantUpdate;
import dev.tenancy.context.TenantContext;
import dev.tenancy.context.TenantScope;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How a flag's value is decided for a tenant and a user, read as the specification. */
class FeatureFlagsTest {
    private static final Actor PM = Actor.user("pm-paula", "product_manager");
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");
    private static final TenantId INITECH = TenantId.of("initech");

    private AuditLog audit;
    private TenantCatalog catalog;
    private FlagStore store;
    private FeatureFlags flags;

    @BeforeEach
    void setUp() {
        audit = AuditLog.inMemory();
        catalog = TenantCatalog.inMemory(audit);
        catalog.register(
                TenantRegistration.builder(ACME, "Acme")
                        .tier("enterprise")
                        .active()
                        .build(),
                PM);
        catalog.register(
                TenantRegistration.builder(GLOBEX, "Globex")
                        .tier("pro")
                        .active()
                        .build(),
                PM);
        catalog.register(
                TenantRegistration.builder(INITECH, "Initech")
                        .tier("free")
                        .active()
                        .build(),
                PM);
        store = FlagStore.inMemory(audit);
        flags = FeatureFlags.builder().store(store).catalog(catalog).build();
    }

    @AfterEach
    void tearDown() {
        flags.close();
    }

    @Test
    void aReadOnlyScope_refusesEveryFlagAndModuleChange_andChangesNothing() {
        define(FlagDefinition.builder("dark-mode"));
        TenantContext.where(ACME).readOnly().run(() -> {
            assertThatThrownBy(() -> flags.override(FlagOverride.on(ACME, "dark-mode", "ticket 7"), PM))
                    .isInstanceOf(ReadOnlyScopeException.class)
                    .hasMessageContaining("override a flag");
            assertThatThrownBy(() -> flags.clearOverride(ACME, "dark-mode", PM, "x"))
                    .isInstanceOf(ReadOnlyScopeException.class);
            assertThatThrownBy(() -> flags.define(FlagDefinition.builder("beta").build(), PM, "x"))
                    .isInstanceOf(ReadOnlyScopeException.class);
            assertThatThrownBy(() -> flags.enableModule(ACME, "reports", PM, "x"))
                    .isInstanceOf(ReadOnlyScopeException.class);
            assertThatThrownBy(() -> flags.disableModule(ACME, "reports", PM, "x"))
                    .isInstanceOf(ReadOnlyScopeException.class);
        });
        assertThat(flags.flag("dark-mode").isEnabled(ACME)).isFalse();
    }

    private void define(FlagDefinition.Builder definition) {
        flags.define(definition.build(), PM, "test");
    }

    @Test
    void aFlagThatIsOnOrOff_isSoForEveryone() {
        define(FlagDefinition.builder("maintenance-banner").on());
        define(FlagDefinition.builder("dark-mode"));
        assertThat(flags.flag("maintenance-banner").isEnabled(ACME)).isTrue();
        assertThat(flags.flag("dark-mode").isEnabled(ACME)).isFalse();
        assertThat(flags.flag("dark-mode").evaluate(ACME, null).reason()).isEqualTo(FlagEvaluation.Reason.DEFAULT);
    }

    @Test
    void theAllowlist_enablesABetaForChosenTenants() {
        define(FlagDefinition.builder("advanced-analytics")
                .category(FlagCategory.BETA)
                .allow(ACME, GLOBEX));
        Flag analytics = flags.flag("advanced-analytics");
        assertThat(analytics.isEnabled(ACME)).isTrue();
        assertThat(analytics.isEnabled(INITECH)).isFalse();
        assertThat(analytics.evaluate(GLOBEX, "u1").reason()).isEqualTo(FlagEvaluation.Reason.ALLOWLIST);
    }

    @Test
    void planTiers_unlockFeatures_fromTheCatalog() {
        define(FlagDefinition.builder("sso-saml")
                .category(FlagCategory.ENTERPRISE)
                .tiers("business", "enterprise"));
        assertThat(flags.flag("sso-saml").evaluate(ACME, null))
                .isEqualTo(new FlagEvaluation("sso-saml", true, FlagEvaluation.Reason.PLAN, null));
        assertThat(flags.flag("sso-saml").isEnabled(GLOBEX)).isFalse();
    }

    /** Flags on the same store and catalog that poll every 20 ms: a second node, in effect. */
    private FeatureFlags pollingEvery20ms(TenantCatalog catalog) {
        return FeatureFlags.builder()
                .store(store)
                .catalog(catalog)
                .pollInterval(Duration.ofMillis(20))
                .build();
    }

    /** The same catalog without its change notifications, as a catalog of one's own might be. */
    private TenantCatalog silent() {
        return (TenantCatalog) Proxy.newProxyInstance(
                TenantCatalog.class.getClassLoader(), new Class<?>[] {TenantCatalog.class}, (proxy, method, args) -> {
                    try {
                        return method.invoke(catalog, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static void awaitEnabled(Flag flag, TenantId tenant, boolean enabled) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (flag.isEnabled(tenant) != enabled && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    @Test
    void aCheckInsideOneScope_seesAChangeMadeWhileTheScopeRuns() throws Exception {
        define(FlagDefinition.builder("dark-mode").on());
        Flag dark = flags.flag("dark-mode");
        try (FeatureFlags otherNode = pollingEvery20ms(catalog)) {
            Flag darkThere = otherNode.flag("dark-mode");
            TenantContext.where(ACME).run(() -> {
                assertThat(dark.isEnabled()).isTrue(); // the scope now holds acme's snapshot
                flags.override(FlagOverride.off(ACME, "dark-mode", "Support ticket 42"), PM);
                assertThat(dark.isEnabled()).as("changed on this node").isFalse();

                assertThat(awaitCurrent(darkThere, false))
                        .as("the other node hears of it")
                        .isFalse();
                otherNode.override(FlagOverride.on(ACME, "dark-mode", "Ticket closed"), PM);
                assertThat(awaitCurrent(dark, true))
                        .as("changed on the other node, seen in the same scope")
                        .isTrue();
            });
        }
    }

    /** The flag for the current tenant once it is {@code expected}, or after 10 s. */
    private static boolean awaitCurrent(Flag flag, boolean expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (flag.isEnabled() != expected && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // a change from elsewhere arrives on the flags' refresh thread
        }
        return flag.isEnabled();
    }

    @Test
    void onChange_tellsWhichFlagsMayNowEvaluateDifferently() throws Exception {
        define(FlagDefinition.builder("sso-saml").tiers("enterprise"));
        BlockingQueue<Set<String>> heard = new LinkedBlockingQueue<>();
        try (AutoCloseable failing = flags.onChange(keys -> {
                    throw new IllegalStateException("listener bug");
                });
                AutoCloseable listening = flags.onChange(heard::add)) {
            define(FlagDefinition.builder("dark-mode").on());
            assertThat(heard.poll(10, TimeUnit.SECONDS)).containsExactly("dark-mode");

            flags.override(FlagOverride.off(ACME, "dark-mode", "Support ticket 42"), PM);
            assertThat(heard.poll(10, TimeUnit.SECONDS)).containsExactly("dark-mode");

            assertThat(flags.flag("sso-saml").isEnabled(GLOBEX)).isFalse(); // globex evaluated on tier pro
            catalog.update(GLOBEX, TenantUpdate.builder().tier("enterprise").build(), PM);
            assertThat(heard.poll(10, TimeUnit.SECONDS))
                    .as("a plan change of an evaluated tenant: the flags with plan rules")
                    .containsExactly("sso-saml");
        }
        define(FlagDefinition.builder("after-closing").on());
        assertThat(heard.poll(200, TimeUnit.MILLISECONDS)).as("unsubscribed").isNull();
    }

    @Test
    void aPlanChange_isToldToListeners_evenWhenAFlagChangedSinceTheTenantWasEvaluated() throws Exception {
        define(FlagDefinition.builder("sso-saml").tiers("enterprise"));
        assertThat(flags.flag("sso-saml").isEnabled(GLOBEX)).isFalse(); // globex evaluated on tier pro
        BlockingQueue<Set<String>> heard = new LinkedBlockingQueue<>();
        try (AutoCloseable listening = flags.onChange(heard::add)) {
            define(FlagDefinition.builder("dark-mode").on()); // a new state, before globex is evaluated again
            assertThat(heard.poll(10, TimeUnit.SECONDS)).containsExactly("dark-mode");

            catalog.update(GLOBEX, TenantUpdate.builder().tier("enterprise").build(), PM);
            assertThat(heard.poll(10, TimeUnit.SECONDS)).containsExactly("sso-saml");
            assertThat(flags.flag("sso-saml").isEnabled(GLOBEX)).isTrue();
        }
    }

    @Test
    void aTierChange_inTheCatalog_reachesPlanRules_asTheCatalogTellsOfIt() throws Exception {
        define(FlagDefinition.builder("sso-saml").tiers("enterprise"));
        Flag sso = flags.flag("sso-saml"); // polls every 5 minutes: only the catalog's notice can be quick
        assertThat(sso.isEnabled(GLOBEX)).isFalse();
        assertThat(TenantContext.where(GLOBEX).get(() -> sso.isEnabled())).isFalse();

        catalog.update(GLOBEX, TenantUpdate.builder().tier("enterprise").build(), PM);
        awaitEnabled(sso, GLOBEX, true);
        assertThat(sso.evaluate(GLOBEX, null).reason()).as("upgraded").isEqualTo(FlagEvaluation.Reason.PLAN);
        assertThat(TenantContext.where(GLOBEX).get(() -> sso.isEnabled())).isTrue();

        catalog.update(GLOBEX, TenantUpdate.builder().tier("pro").build(), PM);
        awaitEnabled(sso, GLOBEX, false);
        assertThat(sso.evaluate(GLOBEX, null).reason()).as("downgraded").isEqualTo(FlagEvaluation.Reason.DEFAULT);
    }

    @Test
    void aTierChange_inACatalogThatDoesNotTellOfIt_isSeenAtTheNextPoll_orAtOnceOnRefresh() throws Exception {
        define(FlagDefinition.builder("sso-saml").tiers("enterprise"));
        try (FeatureFlags polling = pollingEvery20ms(silent())) {
            Flag sso = polling.flag("sso-saml");
            assertThat(sso.isEnabled(GLOBEX)).isFalse();
            assertThat(TenantContext.where(GLOBEX).get(() -> sso.isEnabled())).isFalse();

            catalog.update(GLOBEX, TenantUpdate.builder().tier("enterprise").build(), PM);
            awaitEnabled(sso, GLOBEX, true);
            assertThat(sso.evaluate(GLOBEX, null).reason())
                    .as("upgraded: the poll saw the new tier")
                    .isEqualTo(FlagEvaluation.Reason.PLAN);
            assertThat(TenantContext.where(GLOBEX).get(() -> sso.isEnabled())).isTrue();
        }

        try (FeatureFlags notPolling =
                FeatureFlags.builder().store(store).catalog(silent()).build()) {
            Flag sso = notPolling.flag("sso-saml");
            assertThat(sso.isEnabled(ACME)).isTrue();
            catalog.update(ACME, TenantUpdate.builder().tier("pro").build(), PM);
            assertThat(sso.isEnabled(ACME)).as("downgraded, not yet seen").isTrue();
            notPolling.refresh();
            assertThat(sso.isEnabled(ACME))
                    .as("downgraded, applied by refresh()")
                    .isFalse();
        }
    }

    @Test
    void theTierCheck_readsTheCatalogPageByPage_andStillSeesTenantsBeyondTheFirstPage() throws Exception {
        define(FlagDefinition.builder("sso-saml").tiers("enterprise"));
        List<TenantId> many = IntStream.range(0, 1_100)
                .mapToObj(i -> TenantId.of(String.format("shop-%04d", i)))
                .toList();
        many.forEach(t -> catalog.register(
                TenantRegistration.builder(t, t.value()).tier("pro").active().build(), PM));
        TenantId last = many.getLast();
        TenantId stranger = TenantId.of("not-in-the-catalog");
        try (FeatureFlags polling = pollingEvery20ms(silent())) {
            Flag sso = polling.flag("sso-saml");
            assertThat(sso.isEnabled(last)).isFalse();
            assertThat(sso.isEnabled(stranger)).isFalse();

            catalog.update(last, TenantUpdate.builder().tier("enterprise").build(), PM);
            awaitEnabled(sso, last, true);
            assertThat(sso.isEnabled(last)).as("past the first page of 1,000").isTrue();
            assertThat(sso.isEnabled(stranger)).isFalse();
        }
    }

    @Test
    void aTenantRollout_enablesTheTenantsInItsBuckets_andRaisingItOnlyAddsTenants() {
        List<TenantId> tenants = IntStream.range(0, 1_000)
                .mapToObj(i -> TenantId.of("tenant-" + i))
                .toList();
        define(FlagDefinition.builder("new-editor").rolloutByTenant(25));
        List<TenantId> quarter = tenants.stream()
                .filter(t -> flags.flag("new-editor").isEnabled(t))
                .toList();
        assertThat(quarter).hasSizeBetween(200, 300);
        quarter.forEach(
                t -> assertThat(Rollout.tenantBucket("new-editor", t.value())).isLessThan(2_500));

        define(FlagDefinition.builder("new-editor").rolloutByTenant(50));
        List<TenantId> half = tenants.stream()
                .filter(t -> flags.flag("new-editor").isEnabled(t))
                .toList();
        assertThat(half).hasSizeBetween(450, 550).containsAll(quarter);
    }

    @Test
    void aUserRollout_enablesUsersWithinATenant() {
        define(FlagDefinition.builder("new-inbox").rolloutByUser(25));
        Flag inbox = flags.flag("new-inbox");
        long on = IntStream.range(0, 4_000)
                .filter(i -> inbox.isEnabled(ACME, "user-" + i))
                .count();
        assertThat(on).isBetween(900L, 1_100L);
        assertThat(inbox.isEnabled(ACME)).as("without a user: the default").isFalse();
        String lucky = IntStream.range(0, 100)
                .mapToObj(i -> "user-" + i)
                .filter(u -> inbox.isEnabled(ACME, u))
                .findFirst()
                .orElseThrow();
        assertThat(inbox.evaluate(ACME, lucky).reason()).isEqualTo(FlagEvaluation.Reason.ROLLOUT);
        assertThat(TenantContext.where(ACME).call(() -> inbox.isEnabledFor(lucky)))
                .isTrue();
    }

    @Test
    void anOverride_beatsEveryRule_untilItExpires() throws Exception {
        define(FlagDefinition.builder("sso-saml").tiers("enterprise"));
        Flag sso = flags.flag("sso-saml");
        flags.override(FlagOverride.off(ACME, "sso-saml", "Customer asked to postpone SSO"), PM);
        assertThat(sso.evaluate(ACME, null).reason()).isEqualTo(FlagEvaluation.Reason.OVERRIDE);
        assertThat(sso.isEnabled(ACME)).isFalse();

        flags.override(
                FlagOverride.on(INITECH, "sso-saml", "Two-week trial")
                        .until(Instant.now().plusMillis(300)),
                PM);
        assertThat(sso.isEnabled(INITECH)).isTrue();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (sso.isEnabled(INITECH) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(sso.isEnabled(INITECH))
                .as("the expiry recomputed the snapshot")
                .isFalse();
        assertThat(sso.evaluate(INITECH, null).reason()).isEqualTo(FlagEvaluation.Reason.DEFAULT);
    }

    @Test
    void theCurrentTenant_isTheBoundOne_andNothingBoundIsOff() {
        define(FlagDefinition.builder("advanced-analytics").allow(ACME));
        Flag analytics = flags.flag("advanced-analytics");
        assertThat((boolean) TenantContext.where(ACME).call(() -> analytics.isEnabled()))
                .isTrue();
        assertThat((boolean) TenantContext.where(GLOBEX).call(() -> analytics.isEnabled()))
                .isFalse();
        assertThat(analytics.isEnabled()).isFalse();
        assertThat((boolean) TenantContext.system().call(() -> analytics.isEnabled()))
                .isFalse();
        assertThat(flags.evaluate("advanced-analytics", null, null).error())
                .isEqualTo(FlagEvaluation.ErrorCode.NO_TENANT);
    }

    @Test
    void aFlagOnForEveryTenant_isOnForWhicheverTenantIsBound_untilARuleOrOverrideSetsOneApart() {
        define(FlagDefinition.builder("dark-mode").on());
        Flag dark = flags.flag("dark-mode");
        TenantScope acme = TenantContext.where(ACME);
        TenantScope globex = TenantContext.where(GLOBEX);
        assertThat((boolean) acme.call(dark::isEnabled)).isTrue();
        assertThat((boolean) globex.call(dark::isEnabled)).isTrue();
        assertThat(dark.isEnabled()).as("no tenant bound").isFalse();
        assertThat((boolean) TenantContext.system().call(dark::isEnabled))
                .as("the system scope")
                .isFalse();

        flags.override(FlagOverride.off(ACME, "dark-mode", "Support ticket 42"), PM);
        assertThat((boolean) acme.call(dark::isEnabled)).as("overridden").isFalse();
        assertThat((boolean) globex.call(dark::isEnabled)).isTrue();

        flags.clearOverride(ACME, "dark-mode", PM, "Ticket closed");
        assertThat((boolean) acme.call(dark::isEnabled)).isTrue();

        define(FlagDefinition.builder("dark-mode").allow(GLOBEX));
        assertThat((boolean) acme.call(dark::isEnabled))
                .as("no longer on for everyone")
                .isFalse();
        assertThat((boolean) globex.call(dark::isEnabled)).isTrue();

        define(FlagDefinition.builder("dark-mode").rolloutByUser(100));
        assertThat((boolean) globex.call(dark::isEnabled))
                .as("a rollout by user applies only to checks that name the user")
                .isFalse();
        assertThat((boolean) globex.call(() -> dark.isEnabledFor("u1"))).isTrue();
    }

    @Test
    void aMissingFlag_isOff_withAnErrorCode_andNeverThrows() {
        Flag ghost = flags.flag("not-defined-yet");
        assertThat(ghost.isEnabled(ACME)).isFalse();
        assertThat(ghost.evaluate(ACME, "u"))
                .isEqualTo(new FlagEvaluation(
                        "not-defined-yet",
                        false,
                        FlagEvaluation.Reason.ERROR,
                        FlagEvaluation.ErrorCode.FLAG_NOT_FOUND));
        define(FlagDefinition.builder("not-defined-yet").on());
        assertThat(ghost.isEnabled(ACME))
                .as("the handle works once it is defined")
                .isTrue();
    }

    @Test
    void configuration_isReadThroughJackson_andAnOverrideCanReplaceIt() {
        define(FlagDefinition.builder("export-limits").on().config("{\"maxRows\": 1000, \"formats\": [\"csv\"]}"));
        flags.override(
                FlagOverride.on(ACME, "export-limits", "Enterprise deal").withConfig("{\"maxRows\": 50000}"), PM);
        assertThat(flags.config("export-limits", GLOBEX, Map.class).orElseThrow())
                .containsEntry("maxRows", 1000);
        assertThat(flags.config("export-limits", ACME, Limits.class)
                        .orElseThrow()
                        .maxRows())
                .isEqualTo(50_000);
    }

    record Limits(int maxRows) {}

    record ExportLimits(int maxRows, List<String> formats) {}

    @Test
    void aConfigHandle_readsThePayloadThatApplies_whileTheFlagIsOn_parsedOncePerChange() {
        define(FlagDefinition.builder("export-limits").on().config("{\"maxRows\": 1000, \"formats\": [\"csv\"]}"));
        flags.override(
                FlagOverride.on(ACME, "export-limits", "Enterprise deal")
                        .withConfig("{\"maxRows\": 50000, \"formats\": [\"csv\", \"xlsx\"]}"),
                PM);
        FlagConfig<ExportLimits> limits = flags.flag("export-limits").config(ExportLimits.class);

        Optional<ExportLimits> acmes = TenantContext.where(ACME).call(limits::get);
        assertThat(acmes)
                .as("the current tenant's override")
                .contains(new ExportLimits(50_000, List.of("csv", "xlsx")));
        assertThat(limits.get(GLOBEX)).as("the definition's").contains(new ExportLimits(1000, List.of("csv")));
        assertThat(limits.get()).as("no tenant bound").isEmpty();
        assertThat(limits.get(GLOBEX).orElseThrow())
                .as("read once, then shared until the next change")
                .isSameAs(limits.get(GLOBEX).orElseThrow());

        flags.override(FlagOverride.off(INITECH, "export-limits", "Unpaid invoice"), PM);
        assertThat(limits.get(INITECH))
                .as("off for the tenant: nothing applies")
                .isEmpty();
        assertThat(flags.config("export-limits", INITECH, ExportLimits.class))
                .as("the raw payload, on or off")
                .isPresent();

        define(FlagDefinition.builder("export-limits").on().config("{\"maxRows\": 2000, \"formats\": []}"));
        assertThat(limits.get(GLOBEX)).as("after a change").contains(new ExportLimits(2000, List.of()));
    }

    @Test
    void aConfigHandle_followsARolloutByUser() {
        define(FlagDefinition.builder("new-inbox").rolloutByUser(100).config("{\"maxRows\": 10, \"formats\": []}"));
        FlagConfig<ExportLimits> inbox = flags.flag("new-inbox").config(ExportLimits.class);
        assertThat(inbox.get(ACME)).as("off for the tenant as such").isEmpty();
        assertThat(inbox.get(ACME, "u1")).contains(new ExportLimits(10, List.of()));
        Optional<ExportLimits> current = TenantContext.where(ACME).call(() -> inbox.getFor("u1"));
        assertThat(current).isPresent();
    }

    @Test
    void aPayloadOfAnotherShape_readsAsEmptyThroughTheHandle_andIsReportedByTheRawRead() {
        define(FlagDefinition.builder("page-size").on().config("\"fifty\""));
        FlagConfig<Integer> pageSize = flags.flag("page-size").config(Integer.class);
        assertThat(pageSize.get(ACME)).isEmpty();
        Optional<Integer> current = TenantContext.where(ACME).call(pageSize::get);
        assertThat(current).isEmpty();
        assertThatThrownBy(() -> flags.config("page-size", ACME, Integer.class))
                .isInstanceOf(RuntimeException.class)
                .hasMessageContaining("fifty");
        assertThat(flags.flag("page-size").config(String.class).get(ACME))
                .as("the same payload read as what it is")
                .contains("fifty");
    }

    @Test
    void enablingAModule_enablesWhatItRequires_andDisablingARequiredOne_isRefused() {
        define(FlagDefinition.builder("wms_core").category(FlagCategory.MODULE));
        define(FlagDefinition.builder("module_b2b_storefront")
                .category(FlagCategory.MODULE)
                .requires("wms_core"));
        assertThat(flags.enableModule(ACME, "module_b2b_storefront", PM, "Signed Commerce OS"))
                .containsExactlyInAnyOrder("module_b2b_storefront", "wms_core");
        assertThat(flags.flag("wms_core").isEnabled(ACME)).isTrue();

        assertThatThrownBy(() -> flags.disableModule(ACME, "wms_core", PM, "Downgrade"))
                .isInstanceOf(ModuleDependencyException.class)
                .hasMessageContaining("'wms_core'")
                .hasMessageContaining("module_b2b_storefront requires it");
        assertThat(flags.flag("wms_core").isEnabled(ACME)).as("nothing changed").isTrue();

        flags.disableModule(ACME, "module_b2b_storefront", PM, "Downgrade");
        flags.disableModule(ACME, "wms_core", PM, "Downgrade");
        assertThat(flags.flag("wms_core").isEnabled(ACME)).isFalse();
    }

    @Test
    void aBundle_enablesItsModules() {
        define(FlagDefinition.builder("wms_core").category(FlagCategory.MODULE));
        define(FlagDefinition.builder("module_3pl")
                .category(FlagCategory.MODULE)
                .requires("wms_core"));
        flags.enableBundle(ACME, ModuleBundle.of("3pl-os", "3PL OS", "wms_core", "module_3pl"), PM, "Plan");
        assertThat(flags.flag("module_3pl").isEnabled(ACME)).isTrue();
        assertThat(flags.flag("wms_core").isEnabled(ACME)).isTrue();
    }

    @Test
    void aBulkOverride_isOneChange_auditedPerTenant() {
        define(FlagDefinition.builder("advanced-analytics").category(FlagCategory.BETA));
        long before = store.version();
        flags.override(
                List.of(
                        FlagOverride.on(ACME, "advanced-analytics", "Beta cohort 1"),
                        FlagOverride.on(GLOBEX, "advanced-analytics", "Beta cohort 1")),
                PM);
        assertThat(store.version()).isEqualTo(before + 1);
        assertThat(audit.query(AuditQuery.builder().action("override").build()).items())
                .hasSize(2)
                .allSatisfy(e -> assertThat(e.actorId()).isEqualTo("pm-paula"));
    }

    @Test
    void aChange_throughOneEvaluator_reachesAnotherOnTheSameStore() {
        try (FeatureFlags other = FeatureFlags.builder().store(store).build()) {
            Flag remote = other.flag("advanced-analytics");
            define(FlagDefinition.builder("advanced-analytics").allow(GLOBEX));
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!remote.isEnabled(GLOBEX) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(remote.isEnabled(GLOBEX)).isTrue();
        }
    }

    @Test
    void counters_countBooleanEvaluations_whenAskedTo() {
        define(FlagDefinition.builder("dark-mode").on());
        define(FlagDefinition.builder("beta-reports").allow(ACME));
        try (FeatureFlags counting =
                FeatureFlags.builder().store(store).countEvaluations(true).build()) {
            Flag dark = counting.flag("dark-mode");
            Flag beta = counting.flag("beta-reports");
            for (int i = 0; i < 10; i++) {
                dark.isEnabled(ACME);
            }
            TenantContext.where(ACME).run(() -> {
                for (int i = 0; i < 5; i++) {
                    dark.isEnabled();
                    beta.isEnabled();
                }
            });
            assertThat(dark.evaluations()).isEqualTo(15);
            assertThat(beta.evaluations()).isEqualTo(5);
        }
        assertThat(flags.flag("dark-mode").evaluations()).as("off by default").isZero();
    }

    @Test
    void badInput_isRefused_namingTheValueAndTheFix() {
        assertThatThrownBy(() -> FlagDefinition.builder("Bad Key"))
                .hasMessageContaining("'Bad Key'")
                .hasMessageContaining("lowercase");
        assertThatThrownBy(() -> FlagDefinition.builder("x").rolloutByTenant(120))
                .hasMessageContaining("120.0 %")
                .hasMessageContaining("0 to 100");
        assertThatThrownBy(() -> FlagDefinition.builder("x").config("{nope").build())
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> FlagOverride.on(ACME, "x", " ")).hasMessageContaining("needs a reason");
        assertThatThrownBy(() -> flags.define(
                        FlagDefinition.builder("storefront").requires("nowhere").build(), PM, "t"))
                .hasMessageContaining("'nowhere'")
                .hasMessageContaining("define it first");
        assertThatThrownBy(() -> flags.override(FlagOverride.on(ACME, "undefined-flag", "why"), PM))
                .hasMessageContaining("'undefined-flag'");
        assertThat(store.definitions()).isEmpty();
    }

    @Test
    void theDefaultPlanFeatures_unlockByTier() {
        PlanFeatures.defaults().forEach(d -> flags.define(d, PM, "shipped defaults"));
        assertThat(flags.flag("basic-invoicing").isEnabled(INITECH)).isTrue();
        assertThat(flags.flag("reports").isEnabled(INITECH))
                .as("free has no reports")
                .isFalse();
        assertThat(flags.flag("api-access").isEnabled(GLOBEX))
                .as("pro has API access")
                .isTrue();
        assertThat(flags.flag("sso-saml").isEnabled(GLOBEX))
                .as("pro has no SSO")
                .isFalse();
        assertThat(flags.flag("dedicated-db").isEnabled(ACME))
                .as("enterprise has everything")
                .isTrue();
    }
}
