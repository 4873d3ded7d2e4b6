package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.TenantNotActiveException;
import dev.tenancy.TenantOperation;
import dev.tenancy.TenantOperationRefusedException;
import dev.tenancy.TenantStatus;
import dev.tenancy.access.AccessPolicy;
import dev.tenancy.access.ConsentSource;
import dev.tenancy.access.ImpersonationRequest;
import dev.tenancy.access.Impersonations;
import dev.tenancy.access.Invitations;
import dev.tenancy.access.Permission;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.JdbcAuditLog;
import dev.tenancy.catalog.CustomDomains;
import dev.tenancy.catalog.JdbcTenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.resolve.TenantAdmission;
import dev.tenancy.resolve.TenantResolver;
import dev.tenancy.settings.TenantSettings;
import dev.tenancy.testkit.TenantSettingsContract.Branding;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every tenant status walked through every module's operations: what each module allows is
 * exactly what {@link TenantOperation} says, on H2 and PostgreSQL, and the README's lifecycle table
 * says the same.
 */
class TenantLifecycleTest {
    private static final Actor ADMIN = Actor.user("ops-1", AccessPolicy.SYSTEM_ADMIN);
    private static final Actor OWNER = Actor.user("jane", "company_admin");

    /** The operations exported and purged are walked by ProvisioningContract, which has tenant data to move. */
    private static final Set<TenantOperation> WALKED =
            EnumSet.complementOf(EnumSet.of(TenantOperation.EXPORT, TenantOperation.PURGE));

    static Stream<Arguments> everyStatusOnEveryDatabase() {
        List<Arguments> out = new ArrayList<>();
        for (TestDatabase.Kind kind : TestDatabase.Kind.values()) {
            for (TenantStatus status : TenantStatus.values()) {
                out.add(Arguments.of(kind, status));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("everyStatusOnEveryDatabase")
    void everyModuleAllowsExactlyWhatTheTableSays(TestDatabase.Kind kind, TenantStatus status) throws Exception {
        try (TestDatabase database = TestDatabase.of(kind)) {
            AuditLog audit = JdbcAuditLog.builder(database.dataSource()).build();
            try (JdbcTenantCatalog catalog = JdbcTenantCatalog.builder(database.dataSource())
                    .auditLog(audit)
                    .build()) {
                TenantId tenant = TenantId.of("acme");
                catalog.register(TenantRegistration.builder(tenant, "Acme").build(), ADMIN);
                for (TenantStatus step : path(status)) {
                    catalog.transition(tenant, step, ADMIN, "walk to " + status.key());
                }
                TenantSettings settings = TenantSettings.builder()
                        .section("branding", Branding.class, Branding.DEFAULT)
                        .catalog(catalog)
                        .auditLog(audit)
                        .dataSource(database.dataSource())
                        .build();
                CustomDomains domains = CustomDomains.builder(catalog)
                        .verificationKey("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8))
                        .build();
                Invitations invitations =
                        Invitations.builder().catalog(catalog).auditLog(audit).build();
                Impersonations impersonations = Impersonations.builder()
                        .catalog(catalog)
                        .auditLog(audit)
                        .policy(AccessPolicy.builder()
                                .grant(AccessPolicy.SYSTEM_ADMIN, Permission.PLATFORM)
                                .build())
                        .build();
                TenantAdmission admission = admission(catalog, false);
                TenantAdmission readOnlyAdmission = admission(catalog, true);

                Map<TenantOperation, Attempt> walk = new EnumMap<>(TenantOperation.class);
                walk.put(TenantOperation.SERVE, () -> admission.admit(tenant));
                walk.put(TenantOperation.SERVE_READ_ONLY, () -> readOnlyAdmission.admit(tenant));
                walk.put(
                        TenantOperation.CHANGE_SETTINGS,
                        () -> settings.put(tenant, new Branding("#000000", null), OWNER));
                walk.put(TenantOperation.CHANGE_DOMAINS, () -> domains.add(tenant, "app.acme-corp.com", OWNER));
                walk.put(
                        TenantOperation.INVITE,
                        () -> invitations.invite(tenant, "bob@acme.example", "accountant", OWNER));
                walk.put(
                        TenantOperation.IMPERSONATE,
                        () -> impersonations.end(
                                impersonations
                                        .start(impersonation(tenant).write().build())
                                        .id(),
                                ADMIN));
                walk.put(
                        TenantOperation.IMPERSONATE_READ_ONLY,
                        () -> impersonations.end(
                                impersonations
                                        .start(impersonation(tenant).build())
                                        .id(),
                                ADMIN));
                // CHANGE_PLAN is walked by tenancy-billing's contract (subscriptions belong to billing)
                walk.put(TenantOperation.CHANGE_PLAN, () -> {
                    if (!TenantOperation.CHANGE_PLAN.allowedIn(status)) {
                        TenantOperation.CHANGE_PLAN.require(catalog.require(tenant));
                    }
                });

                Set<TenantOperation> allowed = EnumSet.noneOf(TenantOperation.class);
                for (Map.Entry<TenantOperation, Attempt> each : walk.entrySet()) {
                    try {
                        each.getValue().run();
                        allowed.add(each.getKey());
                    } catch (TenantOperationRefusedException | TenantNotActiveException refused) {
                        assertThat(refused.getMessage()).contains("'acme'");
                    }
                }
                Set<TenantOperation> expected = EnumSet.noneOf(TenantOperation.class);
                for (TenantOperation operation : WALKED) {
                    if (operation.allowedIn(status)) {
                        expected.add(operation);
                    }
                }
                assertThat(allowed)
                        .as("operations allowed for a tenant %s", status.key())
                        .isEqualTo(expected);
                assertThat(walk.keySet())
                        .as("every operation but export and purge is walked")
                        .isEqualTo(WALKED);
            }
        }
    }

    @Test
    void theReadmesLifecycleTable_isTheLibrarys() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        String table =
                readme.substring(readme.indexOf("<!-- lifecycle-table"), readme.indexOf("<!-- /lifecycle-table -->"));
        Map<TenantOperation, Set<TenantStatus>> documented = new EnumMap<>(TenantOperation.class);
        for (String line : table.lines().map(String::strip).toList()) {
            if (!line.startsWith("| `")) {
                continue;
            }
            String[] cells = line.split("\\|", -1);
            String name = cells[1].strip();
            TenantOperation operation = TenantOperation.valueOf(name.substring(1, name.indexOf('`', 1)));
            Set<TenantStatus> statuses = EnumSet.noneOf(TenantStatus.class);
            for (int i = 0; i < TenantStatus.values().length; i++) {
                if (cells[i + 2].strip().toLowerCase(Locale.ROOT).equals("yes")) {
                    statuses.add(TenantStatus.values()[i]);
                }
            }
            documented.put(operation, statuses);
        }
        Map<TenantOperation, Set<TenantStatus>> library = new EnumMap<>(TenantOperation.class);
        for (TenantOperation operation : TenantOperation.values()) {
            library.put(operation, operation.allowedStatuses());
        }
        assertThat(documented).isEqualTo(library);
    }

    @FunctionalInterface
    private interface Attempt {
        void run() throws Exception;
    }

    /** The transitions from pending approval to {@code status}. */
    private static List<TenantStatus> path(TenantStatus status) {
        return switch (status) {
            case PENDING_APPROVAL -> List.of();
            case ACTIVE -> List.of(TenantStatus.ACTIVE);
            case SUSPENDED -> List.of(TenantStatus.ACTIVE, TenantStatus.SUSPENDED);
            case ARCHIVED -> List.of(TenantStatus.ACTIVE, TenantStatus.ARCHIVED);
            case REJECTED -> List.of(TenantStatus.REJECTED);
            case PURGED -> List.of(TenantStatus.ACTIVE, TenantStatus.ARCHIVED, TenantStatus.PURGED);
        };
    }

    private static TenantAdmission admission(JdbcTenantCatalog catalog, boolean archivedReadOnly) {
        return TenantAdmission.builder()
                .catalog(catalog)
                .resolvers(TenantResolver.header())
                .archivedReadOnly(archivedReadOnly)
                .build();
    }

    private static ImpersonationRequest.Builder impersonation(TenantId tenant) {
        return ImpersonationRequest.builder(ADMIN, tenant, "jane@acme.example", "company_admin")
                .reason("Walking the lifecycle table, ticket #1")
                .consent(ConsentSource.TICKET, "#1");
    }
}
