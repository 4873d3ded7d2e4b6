package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import dev.tenancy.ReadOnlyScopeException;
import dev.tenancy.TenantId;
import dev.tenancy.UnknownTenantException;
import dev.tenancy.audit.AuditEvent;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.AuditQuery;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.NoTenantBoundException;
import dev.tenancy.context.TenantContext;
import dev.tenancy.settings.TenantSettings;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link TenantSettings}: extend it and build the implementation under test in
 * {@link #newSettings}; every test gets a fresh catalog (acme and globex) and audit log, and the
 * sections {@link Branding} and {@link Security}.
 */
public abstract class TenantSettingsContract {

    /** {@link TenantSettings} over {@code catalog} and {@code audit}, from {@link #sections()}. */
    protected abstract TenantSettings newSettings(TenantCatalog catalog, AuditLog audit);

    /** The audit log the implementation under test records to (in the same database, for JDBC). */
    protected AuditLog newAuditLog() {
        return AuditLog.inMemory();
    }

    /** A tenant's branding: a colour the constructor checks, and an optional logo. */
    public record Branding(String primaryColor, String logoUrl) {
        public static final Branding DEFAULT = new Branding("#2563eb", null);

        public Branding {
            Objects.requireNonNull(primaryColor, "primaryColor");
            if (!primaryColor.matches("#[0-9a-fA-F]{6}")) {
                throw new IllegalArgumentException(
                        "primaryColor must be a colour like #2563eb, was '" + primaryColor + "'");
            }
        }
    }

    /** A tenant's security settings. */
    public record Security(boolean mfaRequired, int sessionTimeoutMinutes, List<String> ipAllowlist) {
        public static final Security DEFAULT = new Security(false, 60, List.of());

        public Security {
            if (sessionTimeoutMinutes < 5 || sessionTimeoutMinutes > 1_440) {
                throw new IllegalArgumentException(
                        "sessionTimeoutMinutes must be 5 to 1440, was " + sessionTimeoutMinutes);
            }
            ipAllowlist = ipAllowlist == null ? List.of() : List.copyOf(ipAllowlist);
        }
    }

    /** The builder with this contract's sections; add the store. */
    protected static TenantSettings.Builder sections() {
        return TenantSettings.builder()
                .section("branding", Branding.class, Branding.DEFAULT)
                .section("security", Security.class, Security.DEFAULT);
    }

    protected static final Actor ADMIN = Actor.user("u-admin", "company_admin");
    protected static final TenantId ACME = TenantId.of("acme");
    protected static final TenantId GLOBEX = TenantId.of("globex");

    protected AuditLog audit;
    protected TenantCatalog catalog;
    protected TenantSettings settings;

    @BeforeEach
    void setUpSettings() {
        audit = newAuditLog();
        catalog = TenantCatalog.inMemory(AuditLog.inMemory());
        catalog.register(TenantRegistration.builder(ACME, "Acme").active().build(), ADMIN);
        catalog.register(TenantRegistration.builder(GLOBEX, "Globex").active().build(), ADMIN);
        settings = newSettings(catalog, audit);
    }

    @AfterEach
    void closeSettings() {
        settings.close();
    }

    private List<AuditEvent> events() {
        return audit.query(AuditQuery.builder()
                        .entityType(TenantSettings.ENTITY_TYPE)
                        .limit(100)
                        .build())
                .items()
                .reversed();
    }

    @Test
    void aReadOnlyScope_refusesEveryWrite_withOneExceptionType_andChangesNothing() {
        settings.put(ACME, new Security(true, 30, List.of()), ADMIN);
        TenantContext.where(ACME).readOnly().run(() -> {
            assertThatThrownBy(() -> settings.put(ACME, Security.DEFAULT, ADMIN))
                    .isInstanceOf(ReadOnlyScopeException.class)
                    .hasMessageContaining("change settings")
                    .hasMessageContaining("read-only");
            assertThatThrownBy(() -> settings.merge(ACME, "security", "{\"mfaRequired\": false}", ADMIN))
                    .isInstanceOf(ReadOnlyScopeException.class);
            assertThatThrownBy(() -> settings.reset(ACME, Security.class, ADMIN))
                    .isInstanceOf(ReadOnlyScopeException.class);
            assertThatThrownBy(() -> settings.forget(ACME, ADMIN)).isInstanceOf(ReadOnlyScopeException.class);
            assertThat(settings.get(ACME, Security.class).mfaRequired())
                    .as("reads still work")
                    .isTrue();
        });
        assertThat(settings.get(ACME, Security.class)).isEqualTo(new Security(true, 30, List.of()));
    }

    @Test
    void aTenantWithoutItsOwn_getsTheDefaults() {
        assertThat(settings.get(ACME, Branding.class)).isEqualTo(Branding.DEFAULT);
        assertThat(settings.isSet(ACME, Branding.class)).isFalse();
        assertThat(settings.all(ACME))
                .containsOnly(Map.entry("branding", Branding.DEFAULT), Map.entry("security", Security.DEFAULT));
    }

    @Test
    void aSectionPut_isTheTenantsAlone_andIsAuditedWithWhatChanged() {
        Branding orange = new Branding("#ff6600", "https://cdn.acme.example/logo.svg");

        assertThat(settings.put(ACME, orange, ADMIN)).isEqualTo(orange);

        assertThat(settings.get(ACME, Branding.class)).isEqualTo(orange);
        assertThat(settings.get(GLOBEX, Branding.class)).isEqualTo(Branding.DEFAULT);
        assertThat(TenantContext.where(ACME).call(() -> settings.current(Branding.class)))
                .isEqualTo(orange);
        AuditEvent event = events().getLast();
        assertThat(event.action()).isEqualTo("settings.updated");
        assertThat(event.entityId()).isEqualTo("branding");
        assertThat(event.tenantId()).isEqualTo(ACME);
        assertThat(event.actorId()).isEqualTo(ADMIN.id());
        assertThat(event.metadata().get("changed"))
                .isEqualTo(Map.of(
                        "primaryColor", Map.of("from", "#2563eb", "to", "#ff6600"),
                        "logoUrl", withNullFrom("https://cdn.acme.example/logo.svg")));

        settings.put(ACME, orange, ADMIN); // no change, no event
        assertThat(events()).hasSize(1);
    }

    private static Map<String, Object> withNullFrom(String to) {
        Map<String, Object> change = new java.util.LinkedHashMap<>();
        change.put("from", null);
        change.put("to", to);
        return change;
    }

    @Test
    void aMergePatch_changesOnlyTheFieldsItNames() {
        settings.put(ACME, new Security(true, 30, List.of("10.0.0.0/8")), ADMIN);

        Object merged = settings.merge(ACME, "security", "{\"sessionTimeoutMinutes\": 120}", ADMIN);

        assertThat(merged).isEqualTo(new Security(true, 120, List.of("10.0.0.0/8")));
        assertThat(settings.get(ACME, Security.class)).isEqualTo(merged);
        assertThat(events().getLast().metadata().get("changed"))
                .isEqualTo(Map.of("sessionTimeoutMinutes", Map.of("from", 30, "to", 120)));
    }

    @Test
    void aNullInTheMergePatch_putsBackTheFieldsDefault() {
        settings.put(ACME, new Security(true, 30, List.of("10.0.0.0/8")), ADMIN);
        settings.put(ACME, new Branding("#ff6600", "https://cdn.acme.example/logo.svg"), ADMIN);

        assertThat(settings.merge(ACME, "security", "{\"sessionTimeoutMinutes\": null, \"ipAllowlist\": null}", ADMIN))
                .isEqualTo(new Security(true, 60, List.of()));
        assertThat(settings.merge(ACME, "branding", "{\"logoUrl\": null}", ADMIN))
                .isEqualTo(new Branding("#ff6600", null));
    }

    @Test
    void invalidSettings_areRefusedNamingTheFieldAndTheFix_andNothingIsStored() {
        assertThatThrownBy(() -> settings.merge(ACME, "branding", "{\"primaryColor\": \"orange\"}", ADMIN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Invalid branding settings")
                .hasMessageContaining("like #2563eb, was 'orange'");
        assertThatThrownBy(() -> settings.merge(ACME, "security", "{\"mfa\": true}", ADMIN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Invalid security settings")
                .hasMessageContaining("mfa");
        assertThatThrownBy(() -> settings.merge(ACME, "security", "{\"sessionTimeoutMinutes\": \"soon\"}", ADMIN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sessionTimeoutMinutes");
        assertThatThrownBy(() -> settings.merge(ACME, "security", "[1, 2]", ADMIN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> settings.merge(ACME, "security", "{nope", ADMIN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> settings.merge(ACME, "billing", "{}", ADMIN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("No settings section 'billing'")
                .hasMessageContaining("[branding, security]");
        assertThatThrownBy(() -> settings.put(TenantId.of("nobody"), Branding.DEFAULT, ADMIN))
                .isInstanceOf(UnknownTenantException.class);
        assertThatThrownBy(() -> settings.get(ACME, String.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("section(key, type, defaults)");
        assertThatThrownBy(() -> settings.current(Branding.class)).isInstanceOf(NoTenantBoundException.class);

        assertThat(settings.isSet(ACME, Branding.class)).isFalse();
        assertThat(settings.isSet(ACME, Security.class)).isFalse();
        assertThat(events()).isEmpty();
    }

    @Test
    void reset_returnsTheSectionToItsDefault() {
        settings.put(ACME, new Branding("#ff6600", null), ADMIN);

        assertThat(settings.reset(ACME, Branding.class, ADMIN)).isEqualTo(Branding.DEFAULT);

        assertThat(settings.get(ACME, Branding.class)).isEqualTo(Branding.DEFAULT);
        assertThat(settings.isSet(ACME, Branding.class)).isFalse();
        assertThat(events()).extracting(AuditEvent::action).containsExactly("settings.updated", "settings.reset");
        settings.reset(ACME, Branding.class, ADMIN); // nothing to reset, nothing recorded
        assertThat(events()).hasSize(2);
    }

    @Test
    void sectionsThatCannotBeStored_areRefusedWhenDeclared() {
        assertThatThrownBy(() -> TenantSettings.builder().section("Branding", Branding.class, Branding.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'Branding'")
                .hasMessageContaining("like branding");
        assertThatThrownBy(() -> sections().section("colours", Branding.class, Branding.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("declared twice");
        assertThatThrownBy(() -> TenantSettings.builder().section("opaque", Object.class, new Object()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Settings section 'opaque'");
        assertThatThrownBy(() -> TenantSettings.builder()
                        .catalog(catalog)
                        .auditLog(audit)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("section(key, type, defaults)");
    }
}
