package dev.tenancy.spring;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Tenancy's settings, under {@code tenancy.*}.
 *
 * <pre>{@code
 * tenancy.resolution.resolvers=custom-domain,subdomain,header
 * tenancy.resolution.base-domains=app.example.com
 * tenancy.web.excluded-paths=/actuator/**,/admin/**
 * tenancy.servers.eu-1.url=jdbc:postgresql://eu-1:5432/app
 * tenancy.servers.eu-1.username=app
 * }</pre>
 *
 * @param enabled whether Tenancy configures anything at all
 * @param catalog where tenants are kept
 * @param resolution how a request names its tenant
 * @param web the servlet filter that serves each request as its tenant
 * @param servers the database servers tenants live on, by name; when empty, one server named {@code
 *     default} at {@code spring.datasource.*}
 * @param dataSource the routing {@code DataSource}
 * @param flags feature flags, when {@code tenancy-flags} is on the class path
 * @param hibernate Hibernate and JPA, when {@code tenancy-hibernate} is on the class path
 * @param provisioning provisioning and fleet migrations, when Flyway is on the class path
 * @param offboarding exporting and purging archived tenants
 * @param invitations team invitations
 * @param securityEvents security events in the audit log
 * @param billing usage metering, when {@code tenancy-billing} is on the class path
 * @param domains tenants' custom domains and their DNS verification
 * @param audit the audit log's tamper evidence
 * @param jobs the platform's scheduled jobs
 */
@ConfigurationProperties("tenancy")
public record TenancyProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue Catalog catalog,
        @DefaultValue Resolution resolution,
        @DefaultValue Web web,
        Map<String, Server> servers,
        @DefaultValue DataSource dataSource,
        @DefaultValue Flags flags,
        @DefaultValue Hibernate hibernate,
        @DefaultValue Provisioning provisioning,
        @DefaultValue Offboarding offboarding,
        @DefaultValue Invitations invitations,
        @DefaultValue SecurityEvents securityEvents,
        @DefaultValue Billing billing,
        @DefaultValue Domains domains,
        @DefaultValue Audit audit,
        @DefaultValue Jobs jobs) {

    public TenancyProperties {
        servers = servers == null ? Map.of() : new LinkedHashMap<>(servers);
    }

    /** Where the catalog keeps tenants. */
    public enum Store {
        /** The {@code tenancy_*} tables in the platform database ({@code spring.datasource.*}). */
        JDBC,
        /** In memory, gone at shutdown: for tests and demos. */
        MEMORY
    }

    /** One way a request can name its tenant; {@link Resolution#resolvers()} lists them in priority order. */
    public enum Resolver {
        /** The request's host is a verified custom domain of a tenant. */
        CUSTOM_DOMAIN,
        /** The host is {@code <tenant>.<base domain>} (see {@link Resolution#baseDomains()}). */
        SUBDOMAIN,
        /** The header {@link Resolution#header()}. */
        HEADER,
        /** The verified claim {@link Resolution#claim()} of the authenticated principal. */
        CLAIM,
        /** The first path segment after {@link Resolution#pathPrefix()}. */
        PATH
    }

    /**
     * @param store where tenants are kept
     * @param cacheTtl how long a catalog lookup is cached; changes on another node reach this one
     *     at once over PostgreSQL LISTEN/NOTIFY, and within this time everywhere else
     * @param installSchema whether the control-plane tables are installed or upgraded at start
     */
    public record Catalog(
            @DefaultValue("jdbc") Store store,
            @DefaultValue("5m") Duration cacheTtl,
            @DefaultValue("true") boolean installSchema) {}

    /**
     * @param resolvers the resolvers, in priority order
     * @param baseDomains the base domains {@code subdomain} resolves under, such as {@code
     *     app.example.com}
     * @param header the header {@code header} reads
     * @param claim the claim {@code claim} reads
     * @param pathPrefix the prefix {@code path} reads after, such as {@code /t/}
     * @param authenticatedClaim the verified claim naming the authenticated principal's tenant: no
     *     resolver may contradict it (a request whose header names another tenant is refused)
     * @param archivedReadOnly whether archived tenants are served read-only instead of refused
     * @param platformHosts the platform's own hosts (its console, its marketing site): never a
     *     tenant's custom domain
     */
    public record Resolution(
            @DefaultValue("header") List<Resolver> resolvers,
            List<String> baseDomains,
            @DefaultValue("X-Tenant-ID") String header,
            @DefaultValue("tenant_id") String claim,
            @DefaultValue("/t/") String pathPrefix,
            String authenticatedClaim,
            @DefaultValue("false") boolean archivedReadOnly,
            List<String> platformHosts) {

        public Resolution {
            baseDomains = baseDomains == null ? List.of() : List.copyOf(baseDomains);
            platformHosts = platformHosts == null ? List.of() : List.copyOf(platformHosts);
        }
    }

    /**
     * Tamper evidence of the audit log in the platform database ({@code JdbcAuditLog}).
     *
     * @param chainKey a Base64 secret (at least 32 bytes, the same on every node, kept out of the
     *     database) the chain is keyed with; unkeyed SHA-256 when not set
     * @param checkpointFile a file (on a disk the database's writers cannot reach) the chain's head
     *     is appended to every {@code checkpointInterval}, and {@code verify()} reads back; none
     *     when not set
     * @param checkpointInterval how often the head is checkpointed: events appended since the last
     *     checkpoint can be cut off unnoticed by a writer of the database
     */
    public record Audit(
            String chainKey,
            String checkpointFile,
            @DefaultValue("1m") Duration checkpointInterval) {

        @Override
        public String toString() {
            return "Audit[chainKey=" + (chainKey == null ? "none" : "(set)") + ", checkpointFile=" + checkpointFile
                    + ", checkpointInterval=" + checkpointInterval + "]";
        }
    }

    /**
     * Custom domains ({@code CustomDomains}): never the base domains, anything under them, or the
     * platform hosts of {@code tenancy.resolution}.
     *
     * @param verificationKey a Base64 secret (at least 16 bytes, the same on every node) the DNS
     *     challenge tokens are derived from; {@code tenancy.data-source.signing-key} when not set,
     *     else a random one per start (logged: tokens then change at restart)
     * @param dnsServer the DNS server to ask ({@code host} or {@code host:port}); the system's
     *     resolvers when not set
     * @param recheckInterval how often every verified domain's record is checked again
     * @param recheckOnSchedule whether that happens at all
     */
    public record Domains(
            String verificationKey,
            String dnsServer,
            @DefaultValue("1h") Duration recheckInterval,
            @DefaultValue("true") boolean recheckOnSchedule) {

        @Override
        public String toString() {
            return "Domains[verificationKey=" + (verificationKey == null ? "none" : "(set)") + ", dnsServer="
                    + dnsServer + ", recheckInterval=" + recheckInterval + ", recheckOnSchedule=" + recheckOnSchedule
                    + "]";
        }
    }

    /**
     * @param enabled whether the filter is registered (a servlet web application only)
     * @param excludedPaths path patterns served with no tenant bound, such as the platform's own
     *     console and the actuator ({@code /actuator/**})
     * @param order the filter's order: by default just after Spring Security's filter chain, so that
     *     verified claims are there to read
     */
    public record Web(
            @DefaultValue("true") boolean enabled,
            @DefaultValue({"/actuator/**", "/error"}) List<String> excludedPaths,
            @DefaultValue("-90") int order) {}

    /**
     * A database server tenants live on.
     *
     * @param url its JDBC URL
     * @param username the application's user
     * @param password the application's password
     * @param ownerUsername the user that creates, migrates and drops tenant storage; the
     *     application's user when not set
     * @param ownerPassword the owner's password
     * @param databaseUrlTemplate for database-per-tenant: the URL of a tenant database, with
     *     {@code {database}} in place of its name
     * @param maximumPoolSize the shared pool's size
     * @param tenantPoolSize the size of each tenant database's pool
     * @param transactionPooling whether the server is reached through a transaction-pooling proxy
     *     (PgBouncer's {@code pool_mode = transaction}, RDS Proxy, Supavisor): every transaction is
     *     then bound on its own ({@code DatabaseServer.withTransactionPooling()})
     * @param readOnlyUsername a login role with read privileges only, which read-only work
     *     (archived tenants, read-only impersonations) connects as ({@code
     *     DatabaseServer.withReadOnlyUser}); needs {@code owner-username}
     * @param readOnlyPassword its password
     * @param createRoles whether the starter creates (or updates) the owner, application and read-only
     *     roles at start ({@code DatabaseRoles.create}), connected as {@code spring.datasource.*}, which
     *     must then be allowed to create roles; for demos and development databases. When it is not
     *     allowed, the start fails with the statements to run.
     */
    public record Server(
            String url,
            String username,
            String password,
            String ownerUsername,
            String ownerPassword,
            String databaseUrlTemplate,
            @DefaultValue("10") int maximumPoolSize,
            @DefaultValue("2") int tenantPoolSize,
            @DefaultValue("false") boolean transactionPooling,
            String readOnlyUsername,
            String readOnlyPassword,
            @DefaultValue("false") boolean createRoles) {

        @Override
        public String toString() {
            return "Server[url=" + url + ", username=" + username + ", ownerUsername=" + ownerUsername
                    + ", databaseUrlTemplate=" + databaseUrlTemplate + ", maximumPoolSize=" + maximumPoolSize
                    + ", tenantPoolSize=" + tenantPoolSize + ", transactionPooling=" + transactionPooling
                    + ", readOnlyUsername=" + readOnlyUsername + "]";
        }
    }

    /**
     * @param enabled whether the routing {@code TenantDataSource} is configured, as the application's
     *     primary {@code DataSource}
     * @param platformServer the server whose database the system scope reaches; the first by default
     * @param signingKey a Base64 secret that signs PostgreSQL bindings for row-level security (the
     *     same on every node); unsigned when not set
     * @param maxTenantPools how many tenant-database pools stay open
     * @param connectionBudget at most this many connections across tenant-database pools
     * @param budgetTimeout how long a borrower waits for that budget
     * @param poolIdleTimeout tenant-database pools unused this long are closed
     * @param failedMigrationReadOnly whether a tenant whose last migration failed is served
     *     read-only (its data as the last good migration left it) rather than refused
     * @param allowInsecureRole whether tenants are served (with a warning) even when the PostgreSQL
     *     role they connect as is a superuser, has {@code BYPASSRLS}, owns tables or reaches the
     *     platform's tables; refused at start by default
     */
    public record DataSource(
            @DefaultValue("true") boolean enabled,
            String platformServer,
            String signingKey,
            @DefaultValue("100") int maxTenantPools,
            @DefaultValue("200") int connectionBudget,
            @DefaultValue("5s") Duration budgetTimeout,
            @DefaultValue("10m") Duration poolIdleTimeout,
            @DefaultValue("false") boolean failedMigrationReadOnly,
            @DefaultValue("false") boolean allowInsecureRole) {

        @Override
        public String toString() {
            return "DataSource[enabled=" + enabled + ", platformServer=" + platformServer + ", signingKey="
                    + (signingKey == null ? "none" : "(set)") + ", maxTenantPools=" + maxTenantPools
                    + ", connectionBudget=" + connectionBudget + ", failedMigrationReadOnly=" + failedMigrationReadOnly
                    + ", allowInsecureRole=" + allowInsecureRole + "]";
        }
    }

    /**
     * @param pollInterval how often flag definitions are re-read: the safety net behind PostgreSQL
     *     notifications
     * @param countEvaluations whether evaluations are counted per flag (a few nanoseconds each)
     */
    public record Flags(
            @DefaultValue("5m") Duration pollInterval,
            @DefaultValue("false") boolean countEvaluations) {}

    /** What Hibernate's bootstrap does with an entity that has no tenant scope (no {@code @TenantId}, not global). */
    public enum UnscopedEntities {
        /** Fail the start, naming the entities. */
        FAIL,
        /** Log a warning naming them. */
        WARN,
        /** Do not check: every tenant uses schema or database isolation. */
        ALLOW
    }

    /**
     * @param unscopedEntities what the bootstrap does with an entity without a tenant scope
     */
    public record Hibernate(@DefaultValue("fail") UnscopedEntities unscopedEntities) {}

    /**
     * @param migrations the Flyway locations of the application's tenant migrations, run in each
     *     new schema or database and by fleet migrations
     * @param sharedMigrations the Flyway locations of the shared model's tables, run once on each
     *     server before its first shared-model tenant is seeded, and by fleet migrations (nothing is
     *     created on a server while they hold no migration)
     * @param fleetParallelism how many tenants a fleet migration migrates at once
     * @param migrateOnStartup whether the context runs a fleet migration as it starts, before the
     *     web server takes requests, as Spring Boot runs Flyway for one database
     * @param rowLevelSecurity shared-model tables ({@code orders} or {@code orders.tenant_id}) put
     *     under row-level security after the shared migrations, on PostgreSQL servers with an owner
     *     of their own, signed with {@code tenancy.data-source.signing-key} when set
     */
    public record Provisioning(
            @DefaultValue("classpath:db/tenant") List<String> migrations,
            @DefaultValue("classpath:db/shared") List<String> sharedMigrations,
            @DefaultValue("4") int fleetParallelism,
            @DefaultValue("true") boolean migrateOnStartup,
            @DefaultValue List<String> rowLevelSecurity) {}

    /**
     * @param validity how long an invitation's link is accepted after it is sent
     * @param limit how many invitations a tenant may send within {@code limitWindow}
     * @param limitWindow the window of {@code limit}
     * @param resendAfter how soon an invitation may be resent after it was sent
     */
    public record Invitations(
            @DefaultValue("7d") Duration validity,
            @DefaultValue("100") int limit,
            @DefaultValue("1d") Duration limitWindow,
            @DefaultValue("1m") Duration resendAfter) {}

    /** @param window how long the same security event is recorded only once */
    public record SecurityEvents(@DefaultValue("1m") Duration window) {}

    /**
     * @param retention how long an archived tenant is kept before it may be purged (without force)
     * @param sharedTables the shared model's tables a purge deletes a tenant's rows from, each
     *     {@code table} (tenant column {@code tenant_id}) or {@code table.column}
     * @param expireOnSchedule whether expired tenants (sandboxes registered with an expiry) are
     *     archived and purged by a sweep every {@code expirySweep}
     * @param expirySweep how often the sweep runs; an expired tenant is served (read-only once
     *     archived) until the first sweep after its expiry
     * @param expiryGrace how long an expired tenant's data is kept, archived, before it is purged
     */
    public record Offboarding(
            @DefaultValue("30d") Duration retention,
            @DefaultValue List<String> sharedTables,
            @DefaultValue("true") boolean expireOnSchedule,
            @DefaultValue("5m") Duration expirySweep,
            @DefaultValue("0s") Duration expiryGrace) {}

    /**
     * @param nodeId this node's id on its usage leases; keep it stable across restarts to reuse
     *     them (random when not set)
     * @param termsTtl how old a tenant's limits may be when its allowance runs out before they are
     *     read again; a raised limit or a new plan made through {@code Subscriptions} applies at
     *     once on its node and, on PostgreSQL, on every node, so this is the safety net
     * @param rateLimits per-tenant API rate limits by tier
     * @param fallbackPlan the plan whose limits and features a tenant falls back to once its
     *     subscription has ended (cancelled and past its paid period, or an expired trial); empty
     *     for none (every hard limit is then 0)
     * @param trialExpiry what a trial that ends without a way to pay does: {@code fall-back} to the
     *     fallback plan, or {@code suspend} the tenant
     * @param unsettledFile where this node's meter keeps what it could not settle with the usage
     *     database when it stopped, for its next start to settle (one file per node, with a stable
     *     {@code node-id}); none by default, when such leases expire and are written off
     */
    public record Billing(
            String nodeId,
            @DefaultValue("30s") Duration termsTtl,
            @DefaultValue RateLimits rateLimits,
            @DefaultValue("free") String fallbackPlan,
            @DefaultValue("fall-back") String trialExpiry,
            String unsettledFile) {}

    /**
     * @param enabled whether requests served as a tenant are rate limited (429 with {@code
     *     Retry-After} past the limit)
     * @param perSecond requests a second of a tenant whose tier is not in {@code tiers}
     * @param perMinute requests a minute of a tenant whose tier is not in {@code tiers}
     * @param tiers the limits of each tier, by tier key ({@code free}, {@code pro}, ...)
     * @param auditWindow refusals are audited at most once per tenant and window
     */
    public record RateLimits(
            @DefaultValue("false") boolean enabled,
            @DefaultValue("10") long perSecond,
            @DefaultValue("300") long perMinute,
            Map<String, TierRateLimit> tiers,
            @DefaultValue("1m") Duration auditWindow) {

        public RateLimits {
            tiers = tiers == null ? Map.of() : Map.copyOf(tiers);
        }
    }

    /**
     * @param perSecond requests a second
     * @param perMinute requests a minute
     */
    public record TierRateLimit(long perSecond, long perMinute) {}

    /**
     * The platform's jobs ({@link PlatformJobs}), each run once per scheduled time across every node.
     *
     * @param enabled whether jobs run on their schedules at all (they can still be run from the console)
     * @param nodeId this node's id on the jobs it holds and in the audit log (default: random)
     * @param checkInterval how often each node looks whether a job's time has come
     * @param zone the time zone of the cron expressions
     * @param leaseTime how long a node holds a job before another may take it over, should it die
     * @param subscriptionCycleDryRun whether the scheduled subscription cycle only previews (audited
     *     with its counters), leaving the real run to staff after review, as the admin manual advises
     *     for a first month
     * @param schedule each job's {@code cron} and {@code enabled}, by job name ({@code
     *     subscription-cycle}, {@code trial-conversion}, {@code retention-purge}, {@code mrr-snapshot})
     */
    public record Jobs(
            @DefaultValue("true") boolean enabled,
            String nodeId,
            @DefaultValue("1m") Duration checkInterval,
            @DefaultValue("UTC") String zone,
            @DefaultValue("1h") Duration leaseTime,
            @DefaultValue("false") boolean subscriptionCycleDryRun,
            Map<String, Schedule> schedule) {

        public Jobs {
            schedule = schedule == null ? Map.of() : Map.copyOf(schedule);
        }
    }

    /**
     * @param cron when the job runs (Spring's six fields), instead of its default
     * @param enabled whether it runs on its schedule (default true)
     */
    public record Schedule(String cron, Boolean enabled) {}
}
