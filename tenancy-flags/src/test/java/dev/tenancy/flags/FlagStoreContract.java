package dev.tenancy.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditEvent;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.AuditQuery;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link FlagStore} does: the in-memory store, and the JDBC store on H2 and PostgreSQL. */
abstract class FlagStoreContract {
    static final Actor OPS = Actor.user("ops-anna", "system_admin");
    static final TenantId ACME = TenantId.of("acme");
    static final TenantId GLOBEX = TenantId.of("globex");

    private FlagStore store;
    private AuditLog audit;

    /** A fresh, empty store auditing to {@code audit}. */
    protected abstract FlagStore store(AuditLogHolder audit);

    /** Lets the subclass choose the audit log (a JDBC one on the same database) and hand it back. */
    static final class AuditLogHolder {
        AuditLog log;
    }

    @BeforeEach
    void setUp() {
        AuditLogHolder holder = new AuditLogHolder();
        store = store(holder);
        audit = holder.log;
    }

    private static FlagDefinition analytics() {
        return FlagDefinition.builder("advanced-analytics")
                .description("The new analytics dashboard")
                .category(FlagCategory.BETA)
                .config("{\"charts\":[\"funnel\",\"cohort\"]}")
                .allow(ACME, GLOBEX)
                .tiers("business", "enterprise")
                .rolloutByTenant(12.5)
                .rolloutByUser(25)
                .build();
    }

    private List<AuditEvent> events(String action) {
        return audit.query(AuditQuery.builder().action(action).build()).items();
    }

    @Test
    void aDefinition_readsBackAsWritten() {
        store.define(analytics(), OPS, "Beta for five customers");
        assertThat(store.definition("advanced-analytics")).contains(analytics());
        assertThat(store.definitions()).containsExactly(analytics());
        assertThat(events("create")).singleElement().satisfies(e -> {
            assertThat(e.entityId()).isEqualTo("advanced-analytics");
            assertThat(e.actorId()).isEqualTo("ops-anna");
            assertThat(e.metadata()).containsEntry("reason", "Beta for five customers");
        });
    }

    @Test
    void redefining_replaces_andIsAuditedAsAnUpdate() {
        store.define(analytics(), OPS, "v1");
        FlagDefinition wider = analytics().toBuilder().rolloutByTenant(50).build();
        store.define(wider, OPS, "widen the rollout");
        assertThat(store.definition("advanced-analytics")).contains(wider);
        assertThat(events("update")).hasSize(1);
    }

    @Test
    void everyChange_bumpsTheVersion_andANoOpDoesNot() {
        long v0 = store.version();
        store.define(analytics(), OPS, "r");
        long v1 = store.version();
        store.override(
                List.of(
                        FlagOverride.on(ACME, "advanced-analytics", "beta"),
                        FlagOverride.off(GLOBEX, "advanced-analytics", "opted out")),
                OPS);
        long v2 = store.version();
        store.clearOverride(TenantId.of("nobody"), "advanced-analytics", OPS, "nothing there");
        assertThat(v1).isGreaterThan(v0);
        assertThat(v2).as("a bulk override is one change").isEqualTo(v1 + 1);
        assertThat(store.version()).isEqualTo(v2);
    }

    @Test
    void overrides_replaceTheTenantsPrevious_andKeepTheirExpiryAndConfig() {
        store.define(analytics(), OPS, "r");
        Instant until = Instant.now().plus(14, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MICROS);
        store.override(List.of(FlagOverride.off(ACME, "advanced-analytics", "first")), OPS);
        FlagOverride trial = FlagOverride.on(ACME, "advanced-analytics", "Two-week trial")
                .until(until)
                .withConfig("{\"charts\":[\"funnel\"]}");
        store.override(List.of(trial), OPS);
        assertThat(store.overrides(ACME)).containsExactly(trial);
        assertThat(store.overrides()).containsExactly(trial);
        assertThat(events("override"))
                .hasSize(2)
                .allSatisfy(e -> assertThat(e.tenantId()).isEqualTo(ACME));
    }

    @Test
    void aBulkOverride_namingAnUndefinedFlag_changesNothing() {
        store.define(analytics(), OPS, "r");
        long before = store.version();
        assertThatThrownBy(() -> store.override(
                        List.of(
                                FlagOverride.on(ACME, "advanced-analytics", "beta"),
                                FlagOverride.on(GLOBEX, "no-such-flag", "typo")),
                        OPS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'no-such-flag'");
        assertThat(store.overrides()).isEmpty();
        assertThat(store.version()).isEqualTo(before);
        assertThat(events("override")).isEmpty();
    }

    @Test
    void aDefinitionRequiringAnUndefinedFlag_isRefused() {
        assertThatThrownBy(() -> store.define(
                        FlagDefinition.builder("storefront")
                                .requires("wms_core")
                                .build(),
                        OPS,
                        "r"))
                .hasMessageContaining("'wms_core'")
                .hasMessageContaining("define it first");
        assertThat(store.definitions()).isEmpty();
    }

    @Test
    void removing_isRefusedWhileRequired_andTakesItsOverridesAlong() {
        store.define(
                FlagDefinition.builder("wms_core").category(FlagCategory.MODULE).build(), OPS, "r");
        store.define(FlagDefinition.builder("module_3pl").requires("wms_core").build(), OPS, "r");
        assertThatThrownBy(() -> store.remove("wms_core", OPS, "cleanup"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("[module_3pl]");
        store.override(List.of(FlagOverride.on(ACME, "module_3pl", "bought")), OPS);
        store.remove("module_3pl", OPS, "retired");
        assertThat(store.overrides()).isEmpty();
        assertThat(store.definition("module_3pl")).isEmpty();
        assertThat(events("delete"))
                .singleElement()
                .satisfies(e -> assertThat(e.entityId()).isEqualTo("module_3pl"));
    }

    @Test
    void clearingAnOverride_isAudited_andIdempotent() {
        store.define(analytics(), OPS, "r");
        store.override(List.of(FlagOverride.on(ACME, "advanced-analytics", "beta")), OPS);
        store.clearOverride(ACME, "advanced-analytics", OPS, "beta over");
        store.clearOverride(ACME, "advanced-analytics", OPS, "beta over");
        assertThat(store.overrides(ACME)).isEmpty();
        assertThat(events("clear")).hasSize(1);
    }
}
