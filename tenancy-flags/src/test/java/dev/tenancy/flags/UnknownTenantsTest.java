package dev.tenancy.flags;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Ids the catalog does not know are answered (with the definitions' values) but leave nothing
 * behind: 100,000 of them keep no snapshot, before and after a flag change.
 */
class UnknownTenantsTest {
    private static final Actor PM = Actor.user("pm", "product_manager");
    private static final TenantId ACME = TenantId.of("acme");

    private FeatureFlags flags;

    @BeforeEach
    void setUp() {
        AuditLog audit = AuditLog.inMemory();
        TenantCatalog catalog = TenantCatalog.cached(TenantCatalog.inMemory(audit), java.time.Duration.ofMinutes(5));
        catalog.register(
                TenantRegistration.builder(ACME, "Acme").tier("pro").active().build(), PM);
        flags = FeatureFlags.builder()
                .store(FlagStore.inMemory(audit))
                .catalog(catalog)
                .build();
        flags.define(FlagDefinition.builder("reports").tiers("pro").build(), PM, "test");
        flags.define(FlagDefinition.builder("banner").on().build(), PM, "test");
    }

    @AfterEach
    void tearDown() {
        flags.close();
    }

    @Test
    void a_hundred_thousand_unknown_ids_keep_no_snapshot() {
        Flag reports = flags.flag("reports");
        Flag banner = flags.flag("banner");
        assertThat(reports.isEnabled(ACME)).isTrue();
        for (int i = 0; i < 100_000; i++) {
            TenantId ghost = TenantId.of("ghost-" + i);
            assertThat(reports.isEnabled(ghost)).isFalse();
            assertThat(banner.isEnabled(ghost))
                    .as("answered with the definition's value")
                    .isTrue();
        }
        assertThat(flags.keptSnapshots()).as("acme only").isEqualTo(1);

        flags.define(FlagDefinition.builder("unrelated").build(), PM, "test");
        assertThat(flags.flag("banner").isEnabled(TenantId.of("ghost-7"))).isTrue();
        assertThat(flags.keptSnapshots()).isLessThanOrEqualTo(1);
    }

    @Test
    void an_unknown_id_evaluated_through_the_scope_keeps_nothing_either() {
        for (int i = 0; i < 1_000; i++) {
            TenantId ghost = TenantId.of("scoped-ghost-" + i);
            dev.tenancy.context.TenantContext.where(ghost)
                    .run(() -> assertThat(flags.isEnabled("banner")).isTrue());
        }
        assertThat(flags.keptSnapshots()).isZero();
    }
}
