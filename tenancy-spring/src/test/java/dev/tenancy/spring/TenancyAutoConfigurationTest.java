package dev.tenancy.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.access.AccessPolicy;
import dev.tenancy.access.Impersonations;
import dev.tenancy.access.Invitations;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.billing.Billing;
import dev.tenancy.billing.UsageMeter;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.flags.FeatureFlags;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.provision.FleetMigration;
import dev.tenancy.provision.TenantProvisioner;
import dev.tenancy.resolve.TenantAdmission;
import dev.tenancy.resolve.TenantRequest;
import java.sql.Connection;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskDecorator;
import org.springframework.jdbc.core.JdbcTemplate;

/** What the starter configures from properties alone, what it leaves to the application, and what it refuses. */
class TenancyAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    TenancyAutoConfiguration.class,
                    TenancyTaskAutoConfiguration.class,
                    TenancyFlagsAutoConfiguration.class,
                    TenancyProvisioningAutoConfiguration.class,
                    TenancyBillingAutoConfiguration.class,
                    DataSourceAutoConfiguration.class,
                    JdbcTemplateAutoConfiguration.class,
                    TaskExecutionAutoConfiguration.class))
            .withPropertyValues("spring.datasource.url=jdbc:h2:mem:autoconfig;DB_CLOSE_DELAY=-1");

    @Test
    void fromSpringDatasourceAlone_theRoutingDataSourceIsPrimary_andThePlatformOneIsQualified() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(TenantCatalog.class);
            assertThat(context).hasSingleBean(AuditLog.class);
            assertThat(context).hasSingleBean(TenantAdmission.class);
            assertThat(context).hasSingleBean(FeatureFlags.class);
            assertThat(context).hasSingleBean(TenantProvisioner.class);
            assertThat(context).hasSingleBean(Impersonations.class);
            assertThat(context).hasSingleBean(Invitations.class);
            assertThat(context).hasSingleBean(Billing.class);
            assertThat(context).hasSingleBean(UsageMeter.class);
            assertThat(context).hasSingleBean(AccessPolicy.class);
            assertThat(context).hasSingleBean(FleetMigration.class);
            assertThat(context).hasSingleBean(dev.tenancy.provision.TenantOffboarding.class);
            assertThat(context.getBean(DataSource.class)).isInstanceOf(TenantDataSource.class);
            assertThat(context.getBean(JdbcTemplate.class).getDataSource()).isInstanceOf(TenantDataSource.class);
            assertThat(context.getBeansOfType(DataSource.class)).hasSize(2);
            assertThat(context.getBean(TaskDecorator.class)).isInstanceOf(TenantTaskDecorator.class);

            TenantDataSource routed = context.getBean(TenantDataSource.class);
            try (Connection c = TenantContext.system().call(routed::getConnection)) {
                assertThat(c.getMetaData().getURL()).startsWith("jdbc:h2:mem:autoconfig");
            }
        });
    }

    @Test
    void theResolversFollowTheConfiguredOrder() {
        runner.withPropertyValues(
                        "tenancy.catalog.store=memory",
                        "tenancy.resolution.resolvers=subdomain,header",
                        "tenancy.resolution.base-domains=app.example.com",
                        "tenancy.resolution.header=X-Org")
                .run(context -> {
                    TenantAdmission admission = context.getBean(TenantAdmission.class);
                    TenantRequest request = TenantRequest.builder()
                            .host("acme.app.example.com")
                            .header("X-Org", "acme")
                            .build();
                    assertThat(admission.resolve(request).resolver()).isEqualTo("subdomain");
                    assertThatThrownBy(() -> admission.resolve(TenantRequest.builder()
                                    .host("acme.app.example.com")
                                    .header("X-Org", "globex")
                                    .build()))
                            .isInstanceOf(dev.tenancy.resolve.TenantMismatchException.class);
                    assertThat(admission
                                    .resolve(TenantRequest.builder()
                                            .host("app.example.com")
                                            .header("X-Org", "globex")
                                            .build())
                                    .resolver())
                            .isEqualTo("header");
                });
    }

    @Test
    void theMemoryStore_keepsTenantsInMemory() {
        runner.withPropertyValues("tenancy.catalog.store=memory").run(context -> {
            TenantCatalog catalog = context.getBean(TenantCatalog.class);
            catalog.register(
                    TenantRegistration.builder(TenantId.of("acme"), "Acme")
                            .active()
                            .build(),
                    Actor.system("test"));
            assertThat(catalog.find(TenantId.of("acme"))).isPresent();
        });
    }

    @Test
    void beansTheApplicationDeclares_replaceTenancys() {
        runner.withUserConfiguration(OwnCatalog.class).run(context -> {
            assertThat(context.getBean(TenantCatalog.class)).isSameAs(OwnCatalog.CATALOG);
            assertThat(context.getBean(TenantAdmission.class)).isNotNull();
        });
    }

    @Test
    void disabled_configuresNothing() {
        runner.withPropertyValues("tenancy.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean(TenantCatalog.class);
            assertThat(context).doesNotHaveBean(TenantDataSource.class);
            assertThat(context).doesNotHaveBean(TenantTaskDecorator.class);
            assertThat(context).hasSingleBean(DataSource.class);
        });
    }

    @Test
    void withoutTheRoutingDataSource_thePlatformOneIsTheApplicationsOnly() {
        runner.withPropertyValues("tenancy.data-source.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean(TenantDataSource.class);
            assertThat(context).hasSingleBean(DataSource.class);
            assertThat(context).hasSingleBean(TenantCatalog.class);
        });
    }

    @Test
    void aSubdomainResolverWithoutBaseDomains_failsTheStartNamingTheProperty() {
        runner.withPropertyValues("tenancy.catalog.store=memory", "tenancy.resolution.resolvers=subdomain")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("tenancy.resolution.base-domains is empty"));
    }

    /** A settings section, as an application declares one. */
    public record Locale(String language, String timeZone) {}

    @Configuration(proxyBeanMethods = false)
    static class LocaleSection {
        @Bean
        dev.tenancy.settings.SettingsSection<Locale> locale() {
            return dev.tenancy.settings.SettingsSection.of("locale", Locale.class, new Locale("en", "UTC"));
        }
    }

    @Test
    void settingsSectionBeans_makeTenantSettings_andWithoutOneThereIsNone() {
        runner.run(context -> assertThat(context).doesNotHaveBean(dev.tenancy.settings.TenantSettings.class));
        runner.withUserConfiguration(LocaleSection.class).run(context -> {
            dev.tenancy.settings.TenantSettings settings = context.getBean(dev.tenancy.settings.TenantSettings.class);
            context.getBean(TenantCatalog.class)
                    .register(
                            TenantRegistration.builder(TenantId.of("settings-acme"), "Settings Acme")
                                    .active()
                                    .build(),
                            Actor.system("test"));
            settings.merge(TenantId.of("settings-acme"), "locale", "{\"language\": \"de\"}", Actor.system("test"));
            assertThat(settings.get(TenantId.of("settings-acme"), Locale.class)).isEqualTo(new Locale("de", "UTC"));
        });
    }

    @Test
    void invitationsFollowTheirValidityAndLimitProperties() {
        runner.withPropertyValues(
                        "tenancy.catalog.store=memory",
                        "tenancy.invitations.validity=2d",
                        "tenancy.invitations.limit=1",
                        "tenancy.invitations.limit-window=1h")
                .run(context -> {
                    TenantId tenant = TenantId.of("invites-acme");
                    context.getBean(TenantCatalog.class)
                            .register(
                                    TenantRegistration.builder(tenant, "Acme")
                                            .active()
                                            .build(),
                                    Actor.system("test"));
                    dev.tenancy.access.Invitation sent = context.getBean(Invitations.class)
                            .invite(tenant, "jane@acme.example", "viewer", Actor.system("test"))
                            .invitation();
                    assertThat(java.time.Duration.between(sent.createdAt(), sent.expiresAt()))
                            .isEqualTo(java.time.Duration.ofDays(2));
                    org.assertj.core.api.Assertions.assertThatThrownBy(() -> context.getBean(Invitations.class)
                                    .invite(tenant, "joe@acme.example", "viewer", Actor.system("test")))
                            .isInstanceOf(dev.tenancy.access.InvitationLimitException.class)
                            .hasMessageContaining("its limit of 1");
                });
    }

    @Test
    void aMalformedSharedTable_failsTheStartNamingTheValue() {
        runner.withPropertyValues("tenancy.offboarding.shared-tables=orders,a.b.c")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("'a.b.c'")
                        .hasMessageContaining("orders.tenant_id"));
        runner.withPropertyValues("tenancy.offboarding.shared-tables=orders,invoices.owner")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void expiredSandboxes_areArchivedAndPurged_bySweepsTheStarterSchedules() {
        runner.withPropertyValues(
                        "spring.datasource.url=jdbc:h2:mem:expiry;DB_CLOSE_DELAY=-1",
                        "tenancy.offboarding.expiry-sweep=50ms")
                .run(context -> {
                    assertThat(context).hasSingleBean(TenantExpirySweep.class);
                    TenantCatalog catalog = context.getBean(TenantCatalog.class);
                    TenantId sandbox = TenantId.of("sandbox-1");
                    catalog.register(
                            TenantRegistration.builder(sandbox, "Sandbox")
                                    .expiresAt(java.time.Instant.now().plusMillis(300))
                                    .active()
                                    .build(),
                            Actor.system("test"));
                    long deadline =
                            System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
                    while (catalog.require(sandbox).status() != dev.tenancy.TenantStatus.PURGED
                            && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    dev.tenancy.Tenant purged = catalog.require(sandbox);
                    assertThat(purged.status()).isEqualTo(dev.tenancy.TenantStatus.PURGED);
                    assertThat(purged.statusReason()).startsWith("expired at ");
                });
        runner.withPropertyValues("tenancy.offboarding.expire-on-schedule=false")
                .run(context -> assertThat(context).doesNotHaveBean(TenantExpirySweep.class));
        runner.withPropertyValues("tenancy.offboarding.expiry-sweep=0s")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("tenancy.offboarding.expiry-sweep must be positive, was PT0S")
                        .hasMessageContaining("expire-on-schedule=false"));
    }

    @Test
    void rateLimits_areOffByDefault_andABadTierLimitFailsTheStartNamingTheProperty() {
        org.springframework.boot.test.context.runner.WebApplicationContextRunner web =
                new org.springframework.boot.test.context.runner.WebApplicationContextRunner()
                        .withConfiguration(AutoConfigurations.of(
                                TenancyAutoConfiguration.class,
                                TenancyBillingAutoConfiguration.class,
                                TenancyWebAutoConfiguration.class,
                                TenancyRateLimitAutoConfiguration.class,
                                DataSourceAutoConfiguration.class))
                        .withPropertyValues("spring.datasource.url=jdbc:h2:mem:ratelimits;DB_CLOSE_DELAY=-1");
        web.run(context -> {
            assertThat(context).hasBean("tenantFilter");
            assertThat(context).doesNotHaveBean("tenantRateLimitFilter");
        });
        web.withPropertyValues("tenancy.billing.rate-limits.enabled=true")
                .run(context -> assertThat(context).hasBean("tenantRateLimitFilter"));
        web.withPropertyValues(
                        "tenancy.billing.rate-limits.enabled=true",
                        "tenancy.billing.rate-limits.tiers.free.per-second=0")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining("tenancy.billing.rate-limits.tiers.free.per-second and .per-minute:"
                                + " A rate limit allows at least 1 request per second"));
    }

    @Test
    void anUnknownResolver_failsTheStartNamingTheValue() {
        runner.withPropertyValues("tenancy.catalog.store=memory", "tenancy.resolution.resolvers=cookie")
                .run(context -> assertThat(context).getFailure().hasStackTraceContaining("cookie"));
    }

    @Test
    void aServerWithoutURL_failsTheStartNamingTheServer() {
        runner.withPropertyValues("tenancy.catalog.store=memory", "tenancy.servers.eu-1.username=app")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("tenancy.servers.eu-1 needs url and username"));
    }

    @Test
    void aSigningKeyThatIsNotBase64_failsTheStart() {
        runner.withPropertyValues("tenancy.catalog.store=memory", "tenancy.data-source.signing-key=not base64!")
                .run(context -> assertThat(context).getFailure().hasStackTraceContaining("Base64"));
    }

    @Test
    void customDomains_neverThePlatformsNames_orAnythingUnderTheBaseDomains() {
        runner.withPropertyValues(
                        "tenancy.catalog.store=memory",
                        "tenancy.resolution.resolvers=custom-domain,subdomain",
                        "tenancy.resolution.base-domains=app.example.com",
                        "tenancy.resolution.platform-hosts=example.com",
                        "tenancy.domains.verification-key=c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=")
                .run(context -> {
                    dev.tenancy.catalog.CustomDomains domains =
                            context.getBean(dev.tenancy.catalog.CustomDomains.class);
                    for (String domain : java.util.List.of("globex.app.example.com", "example.com", "localhost")) {
                        org.assertj.core.api.Assertions.assertThatThrownBy(
                                        () -> domains.challenge(dev.tenancy.TenantId.of("acme"), domain))
                                .as(domain)
                                .isInstanceOf(dev.tenancy.catalog.InvalidDomainException.class);
                    }
                    assertThat(domains.challenge(dev.tenancy.TenantId.of("acme"), "shop.acme.com")
                                    .recordName())
                            .isEqualTo("_tenancy-challenge.shop.acme.com");
                    assertThat(context).hasSingleBean(DomainRecheckSchedule.class);
                });
    }

    @Test
    void onPostgreSQL_aSuperuserServingTenants_failsTheStart_unlessAllowed() {
        try (dev.tenancy.testkit.TestDatabase database = dev.tenancy.testkit.TestDatabase.postgres()) {
            ApplicationContextRunner postgres = runner.withPropertyValues(
                    "spring.datasource.url=" + database.jdbcUrl(),
                    "spring.datasource.username=" + database.user(),
                    "spring.datasource.password=" + database.password(),
                    "tenancy.provisioning.migrate-on-startup=false");
            postgres.run(context -> assertThat(context)
                    .getFailure()
                    .hasStackTraceContaining("log in as role '" + database.user() + "'")
                    .hasStackTraceContaining("superuser")
                    .hasStackTraceContaining("tenancy.servers.default.create-roles=true")
                    .hasStackTraceContaining("tenancy.data-source.allow-insecure-role=true"));
            postgres.withPropertyValues("tenancy.data-source.allow-insecure-role=true")
                    .run(context -> assertThat(context).hasNotFailed());
        }
    }

    @Test
    void anAuditCheckpointFile_isWrittenOnSchedule(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        java.nio.file.Path file = dir.resolve("checkpoints.log");
        runner.withPropertyValues(
                        "spring.datasource.url=jdbc:h2:mem:checkpoints-" + java.util.UUID.randomUUID()
                                + ";DB_CLOSE_DELAY=-1",
                        "tenancy.audit.chain-key=YW4gYXVkaXQgY2hhaW4ga2V5IG9mIDMyIGJ5dGVzISE=",
                        "tenancy.audit.checkpoint-file=" + file,
                        "tenancy.audit.checkpoint-interval=50ms")
                .run(context -> {
                    assertThat(context).hasSingleBean(AuditCheckpointSchedule.class);
                    AuditLog audit = context.getBean(AuditLog.class);
                    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
                    while (dev.tenancy.audit.AuditCheckpoints.file(file)
                                    .recorded()
                                    .isEmpty()
                            && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    assertThat(dev.tenancy.audit.AuditCheckpoints.file(file).recorded())
                            .isNotEmpty();
                    assertThat(audit.verify().intact()).isTrue();
                });
    }

    @Test
    void propertiesPrintWithoutSecrets() {
        runner.withPropertyValues(
                        "tenancy.catalog.store=memory",
                        "tenancy.servers.eu-1.url=jdbc:h2:mem:eu1",
                        "tenancy.servers.eu-1.username=app",
                        "tenancy.servers.eu-1.password=hunter2",
                        "tenancy.data-source.signing-key=c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=")
                .run(context -> assertThat(
                                context.getBean(TenancyProperties.class).toString())
                        .doesNotContain("hunter2")
                        .doesNotContain("c2VjcmV0"));
    }

    @Test
    void aServerBehindATransactionPooler_withAReadOnlyUser() {
        runner.withPropertyValues(
                        "tenancy.catalog.store=memory",
                        "tenancy.servers.eu-1.url=jdbc:postgresql://127.0.0.1:6432/app",
                        "tenancy.servers.eu-1.username=app",
                        "tenancy.servers.eu-1.transaction-pooling=true",
                        "tenancy.servers.eu-1.owner-username=owner",
                        "tenancy.servers.eu-1.read-only-username=app_read",
                        "tenancy.servers.eu-1.read-only-password=hunter2")
                .run(context -> {
                    DatabaseServer server =
                            context.getBean(TenantDataSource.class).server("eu-1");
                    assertThat(server.transactionPooling()).isTrue();
                    assertThat(server.readOnlyUsername()).isEqualTo("app_read");
                    assertThat(context.getBean(TenancyProperties.class).toString())
                            .doesNotContain("hunter2");
                    assertThat(server.jdbcUrl()).endsWith("?prepareThreshold=0");
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnCatalog {
        static final TenantCatalog CATALOG = TenantCatalog.inMemory(AuditLog.inMemory());

        @Bean
        TenantCatalog myCatalog() {
            return CATALOG;
        }
    }
}
