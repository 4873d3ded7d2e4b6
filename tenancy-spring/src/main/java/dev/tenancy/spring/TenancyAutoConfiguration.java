package dev.tenancy.spring;

import com.zaxxer.hikari.HikariDataSource;
import dev.tenancy.access.AccessPolicy;
import dev.tenancy.access.Impersonations;
import dev.tenancy.access.Invitations;
import dev.tenancy.audit.AuditCheckpoints;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.JdbcAuditLog;
import dev.tenancy.audit.SecurityEvents;
import dev.tenancy.catalog.CustomDomains;
import dev.tenancy.catalog.DomainRules;
import dev.tenancy.catalog.JdbcTenantCatalog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.catalog.TxtLookup;
import dev.tenancy.jdbc.BindingKey;
import dev.tenancy.jdbc.DatabaseRoles;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.resolve.TenantAdmission;
import dev.tenancy.resolve.TenantResolver;
import dev.tenancy.settings.SettingsSection;
import dev.tenancy.settings.TenantSettings;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * The catalog, the audit log, admission and the routing {@code DataSource}.
 *
 * <ul>
 *   <li>A platform {@code DataSource} ({@link TenancyPlatform}) from {@code spring.datasource.*}
 *       and {@code spring.datasource.hikari.*}, for the control-plane tables. Spring Boot's own
 *       {@code DataSource} then backs off.
 *   <li>The {@link AuditLog} and a cached {@link TenantCatalog} on it (or in memory with {@code
 *       tenancy.catalog.store=memory}).
 *   <li>{@link AccessPolicy#platformDefaults()}, {@link Impersonations} and {@link Invitations}
 *       (sessions and invitations in the platform database).
 *   <li>{@link TenantAdmission} with the resolvers of {@code tenancy.resolution.*}.
 *   <li>{@link TenantSettings} over the application's {@link SettingsSection} beans.
 *   <li>{@link SecurityEvents} in the audit log: requests authenticated as one tenant naming
 *       another, and tenant sessions the database refuses.
 *   <li>{@link TenantDataSource} over {@code tenancy.servers.*} (by default one server, {@value
 *       TenantRegistration#DEFAULT_SERVER}, at {@code spring.datasource.*}), as the primary {@code DataSource}: {@code
 *       JdbcTemplate}, JPA and transactions get connections for the current tenant.
 * </ul>
 *
 * <p>Each bean backs off when the application declares its own.
 */
@AutoConfiguration(before = DataSourceAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "tenancy.enabled", matchIfMissing = true)
@EnableConfigurationProperties({TenancyProperties.class, DataSourceProperties.class})
public final class TenancyAutoConfiguration {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TenancyAutoConfiguration.class);

    @Bean
    @TenancyPlatform
    @ConditionalOnMissingBean(annotation = TenancyPlatform.class)
    @ConfigurationProperties("spring.datasource.hikari")
    HikariDataSource tenancyPlatformDataSource(DataSourceProperties properties) {
        HikariDataSource data = properties
                .initializeDataSourceBuilder()
                .type(HikariDataSource.class)
                .build();
        if (properties.getName() == null) {
            data.setPoolName("tenancy-platform");
        }
        return data;
    }

    @Bean
    @ConditionalOnMissingBean
    AuditLog tenancyAuditLog(TenancyProperties properties, @TenancyPlatform DataSource platform) {
        return switch (properties.catalog().store()) {
            case MEMORY -> AuditLog.inMemory();
            case JDBC -> {
                TenancyProperties.Audit settings = properties.audit();
                JdbcAuditLog.Builder audit = JdbcAuditLog.builder(platform);
                if (settings.chainKey() != null && !settings.chainKey().isBlank()) {
                    audit.chainKey(base64("tenancy.audit.chain-key", settings.chainKey()));
                }
                if (settings.checkpointFile() != null
                        && !settings.checkpointFile().isBlank()) {
                    audit.checkpoints(AuditCheckpoints.file(java.nio.file.Path.of(settings.checkpointFile())));
                }
                yield audit.build();
            }
        };
    }

    /** Checkpoints the audit chain's head to {@code tenancy.audit.checkpoint-file} on a schedule. */
    @Bean
    @ConditionalOnMissingBean
    @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty("tenancy.audit.checkpoint-file")
    AuditCheckpointSchedule tenancyAuditCheckpoints(TenancyProperties properties, AuditLog audit) {
        if (!(audit instanceof JdbcAuditLog jdbc)) {
            throw new IllegalStateException("tenancy.audit.checkpoint-file is set but the audit log is not kept in the"
                    + " platform database (tenancy.catalog.store=memory): remove it, or store the catalog with jdbc");
        }
        return new AuditCheckpointSchedule(jdbc, properties.audit().checkpointInterval());
    }

    private static byte[] base64(String property, String value) {
        try {
            return java.util.Base64.getDecoder().decode(value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(property + " is not Base64: generate one with openssl rand -base64 32", e);
        }
    }

    @Bean
    @ConditionalOnMissingBean
    TenantCatalog tenancyCatalog(TenancyProperties properties, @TenancyPlatform DataSource platform, AuditLog audit) {
        TenancyProperties.Catalog settings = properties.catalog();
        TenantCatalog store = switch (settings.store()) {
            case MEMORY -> TenantCatalog.inMemory(audit);
            case JDBC ->
                JdbcTenantCatalog.builder(platform)
                        .auditLog(audit)
                        .installSchema(settings.installSchema())
                        .build();
        };
        return TenantCatalog.cached(store, settings.cacheTtl());
    }

    @Bean
    @ConditionalOnMissingBean
    TenancyJacksonModule tenancyJacksonModule() {
        return new TenancyJacksonModule();
    }

    @Bean
    @ConditionalOnMissingBean
    AccessPolicy tenancyAccessPolicy() {
        return AccessPolicy.platformDefaults();
    }

    @Bean
    @ConditionalOnMissingBean
    Invitations tenancyInvitations(
            TenancyProperties properties, TenantCatalog catalog, AuditLog audit, @TenancyPlatform DataSource platform) {
        Invitations.Builder invitations = Invitations.builder()
                .catalog(catalog)
                .auditLog(audit)
                .validity(properties.invitations().validity())
                .limit(
                        properties.invitations().limit(),
                        properties.invitations().limitWindow())
                .resendAfter(properties.invitations().resendAfter());
        if (properties.catalog().store() == TenancyProperties.Store.JDBC) {
            invitations.dataSource(platform).installSchema(properties.catalog().installSchema());
        }
        return invitations.build();
    }

    @Bean
    @ConditionalOnMissingBean
    Impersonations tenancyImpersonations(
            TenancyProperties properties,
            TenantCatalog catalog,
            AuditLog audit,
            AccessPolicy policy,
            @TenancyPlatform DataSource platform) {
        Impersonations.Builder impersonations =
                Impersonations.builder().catalog(catalog).auditLog(audit).policy(policy);
        if (properties.catalog().store() == TenancyProperties.Store.JDBC) {
            impersonations
                    .dataSource(platform)
                    .installSchema(properties.catalog().installSchema());
        }
        return impersonations.build();
    }

    /** {@link TenantSettings} over the application's {@link SettingsSection} beans, in the platform database. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnBean(SettingsSection.class)
    TenantSettings tenancySettings(
            TenancyProperties properties,
            TenantCatalog catalog,
            AuditLog audit,
            @TenancyPlatform DataSource platform,
            ObjectProvider<SettingsSection<?>> sections) {
        TenantSettings.Builder settings =
                TenantSettings.builder().catalog(catalog).auditLog(audit);
        sections.orderedStream().forEach(section -> add(settings, section));
        if (properties.catalog().store() == TenancyProperties.Store.JDBC) {
            settings.dataSource(platform).installSchema(properties.catalog().installSchema());
        }
        return settings.build();
    }

    private static <T> void add(TenantSettings.Builder settings, SettingsSection<T> section) {
        settings.section(section);
    }

    @Bean
    @ConditionalOnMissingBean
    SecurityEvents tenancySecurityEvents(TenancyProperties properties, AuditLog audit) {
        return SecurityEvents.builder(audit)
                .window(properties.securityEvents().window())
                .build();
    }

    @Bean
    @ConditionalOnMissingBean
    TenantAdmission tenancyAdmission(TenancyProperties properties, TenantCatalog catalog, SecurityEvents security) {
        TenancyProperties.Resolution settings = properties.resolution();
        if (settings.resolvers().isEmpty()) {
            throw new IllegalStateException("tenancy.resolution.resolvers is empty: name at least one of "
                    + List.of(TenancyProperties.Resolver.values()) + ", such as tenancy.resolution.resolvers=header");
        }
        TenantResolver[] resolvers = settings.resolvers().stream()
                .map(resolver -> resolver(resolver, settings, catalog))
                .toArray(TenantResolver[]::new);
        TenantAdmission.Builder admission = TenantAdmission.builder()
                .catalog(catalog)
                .resolvers(resolvers)
                .archivedReadOnly(settings.archivedReadOnly())
                .securityEvents(security);
        if (settings.authenticatedClaim() != null
                && !settings.authenticatedClaim().isBlank()) {
            admission.authenticatedClaim(settings.authenticatedClaim());
        }
        return admission.build();
    }

    private static TenantResolver resolver(
            TenancyProperties.Resolver resolver, TenancyProperties.Resolution settings, TenantCatalog catalog) {
        return switch (resolver) {
            case CUSTOM_DOMAIN -> TenantResolver.customDomain(catalog, domainRules(settings));
            case SUBDOMAIN -> {
                if (settings.baseDomains().isEmpty()) {
                    throw new IllegalStateException("tenancy.resolution.resolvers names subdomain but"
                            + " tenancy.resolution.base-domains is empty: set it, such as"
                            + " tenancy.resolution.base-domains=app.example.com");
                }
                yield TenantResolver.subdomain(settings.baseDomains().toArray(String[]::new));
            }
            case HEADER -> TenantResolver.header(settings.header());
            case CLAIM -> TenantResolver.claim(settings.claim());
            case PATH -> TenantResolver.pathPrefix(settings.pathPrefix());
        };
    }

    /** The custom domains tenants may claim: never the base domains, anything under them, or the platform hosts. */
    static DomainRules domainRules(TenancyProperties.Resolution settings) {
        return DomainRules.platformDomains(settings.baseDomains()).withPlatformHosts(settings.platformHosts());
    }

    /**
     * {@link CustomDomains} over the catalog, held to {@link #domainRules}, verifying through DNS
     * ({@code tenancy.domains.dns-server} or the system's resolvers) with tokens derived from {@code
     * tenancy.domains.verification-key} (or the signing key).
     */
    @Bean
    @ConditionalOnMissingBean
    CustomDomains tenancyCustomDomains(TenancyProperties properties, TenantCatalog catalog) {
        TenancyProperties.Domains settings = properties.domains();
        String key = settings.verificationKey() != null
                        && !settings.verificationKey().isBlank()
                ? settings.verificationKey()
                : properties.dataSource().signingKey();
        byte[] secret;
        if (key != null && !key.isBlank()) {
            secret = base64("tenancy.domains.verification-key", key);
        } else {
            secret = new byte[32];
            new java.security.SecureRandom().nextBytes(secret);
            LOG.warn(
                    "No tenancy.domains.verification-key (nor tenancy.data-source.signing-key): custom-domain challenges"
                            + " use a random key that changes at every restart and differs between nodes. Set one (openssl rand"
                            + " -base64 32) before tenants publish their records.");
        }
        return CustomDomains.builder(catalog)
                .rules(domainRules(properties.resolution()))
                .verificationKey(secret)
                .txtLookup(
                        settings.dnsServer() == null || settings.dnsServer().isBlank()
                                ? TxtLookup.jdk()
                                : TxtLookup.jdk(settings.dnsServer().trim()))
                .build();
    }

    /** Checks every verified domain's record again every {@code tenancy.domains.recheck-interval}. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "tenancy.domains.recheck-on-schedule", matchIfMissing = true)
    DomainRecheckSchedule tenancyDomainRecheck(TenancyProperties properties, CustomDomains domains) {
        return new DomainRecheckSchedule(domains, properties.domains().recheckInterval());
    }

    @Bean
    @Primary
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "tenancy.data-source.enabled", matchIfMissing = true)
    TenantDataSource tenantDataSource(
            TenancyProperties properties,
            DataSourceProperties platform,
            TenantCatalog catalog,
            SecurityEvents security) {
        TenancyProperties.DataSource settings = properties.dataSource();
        TenantDataSource.Builder data = TenantDataSource.builder()
                .catalog(catalog)
                .maxTenantPools(settings.maxTenantPools())
                .connectionBudget(settings.connectionBudget())
                .budgetTimeout(settings.budgetTimeout())
                .poolIdleTimeout(settings.poolIdleTimeout())
                .failedMigrationReadOnly(settings.failedMigrationReadOnly())
                .securityEvents(security);
        List<DatabaseServer> servers = servers(properties, platform);
        servers.forEach(data::server);
        createRoles(properties, platform, servers);
        if (settings.platformServer() != null) {
            data.platform(settings.platformServer());
        }
        if (settings.signingKey() != null && !settings.signingKey().isBlank()) {
            data.signedBinding(BindingKey.fromBase64(settings.signingKey()));
        }
        if (settings.allowInsecureRole()) {
            data.allowInsecureRole();
        }
        TenantDataSource built = data.build();
        checkRoles(built);
        return built;
    }

    /**
     * Fails the start when tenants would connect as a role their SQL could use to reach other
     * tenants or the platform's tables; a server that cannot be reached yet is checked at its
     * first borrow instead.
     */
    private static void checkRoles(TenantDataSource data) {
        try {
            data.checkRoles();
        } catch (java.sql.SQLException e) {
            if ("28000".equals(e.getSQLState())) {
                data.close();
                throw new IllegalStateException(
                        e.getMessage() + ". With Spring, the recommended set-up is:\n"
                                + "  tenancy.servers.default.url=${spring.datasource.url}\n"
                                + "  tenancy.servers.default.username=tenancy_app\n"
                                + "  tenancy.servers.default.owner-username=tenancy_owner\n"
                                + "  tenancy.servers.default.create-roles=true   (spring.datasource's user creates both roles;"
                                + " or have a superuser run DatabaseRoles.statements(server, database))\n"
                                + "  tenancy.data-source.signing-key=<openssl rand -base64 32>\n"
                                + "or tenancy.data-source.allow-insecure-role=true to accept the risk (tests, local demos)",
                        e);
            }
            LOG.warn(
                    "Could not check the roles tenants connect as at start ({}); each database is checked at its"
                            + " first borrow",
                    e.getMessage());
        }
    }

    /**
     * For each server with {@code tenancy.servers.<name>.create-roles=true}: its owner, application
     * and read-only roles, created as {@code spring.datasource.*} in the server's database.
     */
    private static void createRoles(
            TenancyProperties properties, DataSourceProperties platform, List<DatabaseServer> servers) {
        for (DatabaseServer server : servers) {
            TenancyProperties.Server settings = properties.servers().get(server.name());
            if (settings == null || !settings.createRoles()) {
                continue;
            }
            try (java.sql.Connection admin = java.sql.DriverManager.getConnection(
                    server.jdbcUrl(), platform.determineUsername(), platform.determinePassword())) {
                DatabaseRoles.create(admin, server);
                LOG.info(
                        "Roles of server '{}' are in place: owner {}, application {}{}",
                        server.name(),
                        server.ownerUsername(),
                        server.username(),
                        server.hasReadOnlyUser() ? ", read-only " + server.readOnlyUsername() : "");
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(
                        "tenancy.servers." + server.name() + ".create-roles=true: " + e.getMessage(), e);
            }
        }
    }

    /** The servers of {@code tenancy.servers}, or the one at {@code spring.datasource.*}. */
    static List<DatabaseServer> servers(TenancyProperties properties, DataSourceProperties platform) {
        if (properties.servers().isEmpty()) {
            return List.of(DatabaseServer.of(
                    TenantRegistration.DEFAULT_SERVER,
                    platform.determineUrl(),
                    platform.determineUsername(),
                    platform.determinePassword()));
        }
        return properties.servers().entrySet().stream()
                .map(entry -> server(entry.getKey(), entry.getValue()))
                .toList();
    }

    private static DatabaseServer server(String name, TenancyProperties.Server settings) {
        if (settings.url() == null || settings.username() == null) {
            throw new IllegalStateException("tenancy.servers." + name + " needs url and username: set tenancy.servers."
                    + name + ".url=jdbc:... and tenancy.servers." + name + ".username=...");
        }
        DatabaseServer server = DatabaseServer.of(name, settings.url(), settings.username(), settings.password())
                .withMaximumPoolSize(settings.maximumPoolSize())
                .withTenantPoolSize(settings.tenantPoolSize());
        if (settings.databaseUrlTemplate() != null) {
            server = server.withDatabaseUrlTemplate(settings.databaseUrlTemplate());
        }
        if (settings.ownerUsername() != null) {
            server = server.withOwner(settings.ownerUsername(), settings.ownerPassword());
        }
        if (settings.transactionPooling()) {
            server = server.withTransactionPooling();
        }
        if (settings.readOnlyUsername() != null) {
            server = server.withReadOnlyUser(settings.readOnlyUsername(), settings.readOnlyPassword());
        }
        return server;
    }
}
