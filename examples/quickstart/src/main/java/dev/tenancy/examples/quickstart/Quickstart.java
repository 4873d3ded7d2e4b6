package dev.tenancy.examples.quickstart;

import dev.tenancy.Actor;
import dev.tenancy.IllegalTenantTransitionException;
import dev.tenancy.IsolationModel;
import dev.tenancy.TenancyException;
import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.TenantOperationRefusedException;
import dev.tenancy.TenantStatus;
import dev.tenancy.access.AccessDeniedException;
import dev.tenancy.access.AccessPolicy;
import dev.tenancy.access.ConsentSource;
import dev.tenancy.access.Impersonation;
import dev.tenancy.access.ImpersonationRequest;
import dev.tenancy.access.Impersonations;
import dev.tenancy.access.Invitation;
import dev.tenancy.access.InvitationNotValidException;
import dev.tenancy.access.Invitations;
import dev.tenancy.access.IssuedInvitation;
import dev.tenancy.audit.AuditEvent;
import dev.tenancy.audit.AuditQuery;
import dev.tenancy.audit.AuditVerification;
import dev.tenancy.audit.JdbcAuditLog;
import dev.tenancy.billing.ApiThrottle;
import dev.tenancy.billing.Billing;
import dev.tenancy.billing.BillingAnalytics;
import dev.tenancy.billing.BillingCycle;
import dev.tenancy.billing.BillingOverride;
import dev.tenancy.billing.CycleResult;
import dev.tenancy.billing.Invoice;
import dev.tenancy.billing.InvoiceLine;
import dev.tenancy.billing.Limit;
import dev.tenancy.billing.Metric;
import dev.tenancy.billing.ModuleEntitlements;
import dev.tenancy.billing.PricingConfig;
import dev.tenancy.billing.QuotaExceededException;
import dev.tenancy.billing.RateLimit;
import dev.tenancy.billing.SubscriptionCycle;
import dev.tenancy.billing.Subscriptions;
import dev.tenancy.billing.Terms;
import dev.tenancy.billing.ThrottleAwareness;
import dev.tenancy.billing.UsageMeter;
import dev.tenancy.catalog.JdbcTenantCatalog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantQuery;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.context.TenantScope;
import dev.tenancy.flags.FeatureFlags;
import dev.tenancy.flags.Flag;
import dev.tenancy.flags.FlagCategory;
import dev.tenancy.flags.FlagConfig;
import dev.tenancy.flags.FlagDefinition;
import dev.tenancy.flags.FlagOverride;
import dev.tenancy.flags.JdbcFlagStore;
import dev.tenancy.flags.ModuleDependencyException;
import dev.tenancy.flags.PlanFeatures;
import dev.tenancy.hibernate.TenancyHibernate;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.jooq.TenancyJooq;
import dev.tenancy.provision.ExpiryReport;
import dev.tenancy.provision.FleetMigration;
import dev.tenancy.provision.FleetReport;
import dev.tenancy.provision.SharedTable;
import dev.tenancy.provision.TenantMove;
import dev.tenancy.provision.TenantOffboarding;
import dev.tenancy.provision.TenantProvisioner;
import dev.tenancy.resolve.AdmittedTenant;
import dev.tenancy.resolve.TenantAdmission;
import dev.tenancy.resolve.TenantRequest;
import dev.tenancy.resolve.TenantResolver;
import dev.tenancy.settings.TenantSettings;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.h2.jdbcx.JdbcDataSource;
import org.hibernate.SessionFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.DSL;

/**
 * A plain-Java tour of Tenancy on embedded H2: register tenants, resolve requests to them, walk a
 * tenant through its lifecycle, provision tenants and migrate the fleet with a progress bar,
 * offboard one, use one domain through Hibernate and jOOQ for every isolation model, roll out
 * feature flags and modules, bill, impersonate a tenant's user for support, invite a team member
 * and change a tenant's settings, and print the tamper-evident audit trail.
 *
 * <p>Run it with {@code ./mvnw -q -Pdemo -pl examples/quickstart -am verify -DskipTests}.
 */
public final class Quickstart {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private final PrintStream out;

    /** A flag's configuration payload, read through Jackson. */
    public record ExportLimits(int maxRows) {}

    Quickstart(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.jboss.logging.provider", "slf4j"); // Hibernate's log through SLF4J (NOP here)
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:quickstart;DB_CLOSE_DELAY=-1");
        new Quickstart(System.out).run(dataSource);
    }

    void run(JdbcDataSource dataSource) throws Exception {
        section("1. The control plane: catalog and audit log in the platform database (H2)");
        JdbcAuditLog audit = JdbcAuditLog.builder(dataSource).build();
        TenantCatalog catalog = TenantCatalog.cached(
                JdbcTenantCatalog.builder(dataSource).auditLog(audit).build(), Duration.ofMinutes(5));
        Actor admin = Actor.user("ops-anna", "system_admin");
        Actor sales = Actor.user("sales-sam", "sales_ops");
        out.println("installed tenancy_* tables");

        section("2. Register tenants");
        TenantId acme = TenantId.of("acme");
        TenantId globex = TenantId.of("globex");
        TenantId initech = TenantId.of("initech");
        catalog.register(
                TenantRegistration.builder(acme, "Acme Corp")
                        .tier("enterprise")
                        .isolation(IsolationModel.DATABASE)
                        .ownerEmail("jane@acme.com")
                        .build(),
                sales);
        catalog.register(
                TenantRegistration.builder(globex, "Globex")
                        .tier("pro")
                        .isolation(IsolationModel.SCHEMA)
                        .ownerEmail("hank@globex.io")
                        .active()
                        .build(),
                sales);
        catalog.register(
                TenantRegistration.builder(initech, "Initech")
                        .tier("free")
                        .ownerEmail("bill@initech.com")
                        .active()
                        .build(),
                sales);
        catalog.addDomain(initech, "portal.initech.com", admin);
        catalog.verifyDomain("portal.initech.com", admin);
        printTenants(catalog);
        try {
            TenantId.of("Bad Slug");
        } catch (TenancyException e) {
            out.println("refused: " + e.getMessage());
        }

        section("3. Approve the pending tenant");
        catalog.transition(acme, TenantStatus.ACTIVE, admin, "KYC passed, contract signed");
        printTenants(catalog);

        section("4. Resolve requests to tenants");
        TenantAdmission admission = TenantAdmission.builder()
                .catalog(catalog)
                .resolvers(
                        TenantResolver.customDomain(catalog),
                        TenantResolver.subdomain("app.example.com"),
                        TenantResolver.header(),
                        TenantResolver.claim("tenant_id"))
                .authenticatedClaim("tenant_id")
                .archivedReadOnly(true)
                .build();
        resolve(
                admission,
                "Host: acme.app.example.com",
                TenantRequest.builder().host("acme.app.example.com").build());
        resolve(
                admission,
                "Host: portal.initech.com",
                TenantRequest.builder().host("portal.initech.com:443").build());
        resolve(
                admission,
                "X-Tenant-ID: globex",
                TenantRequest.builder().header("X-Tenant-ID", "globex").build());
        resolve(
                admission,
                "X-Tenant-ID: globex, token tenant_id=acme",
                TenantRequest.builder()
                        .header("X-Tenant-ID", "globex")
                        .claim("tenant_id", "acme")
                        .build());
        resolve(
                admission,
                "X-Tenant-ID: acme'; drop table--",
                TenantRequest.builder()
                        .header("X-Tenant-ID", "acme'; drop table--")
                        .build());
        resolve(
                admission,
                "Host: umbrella.app.example.com",
                TenantRequest.builder().host("umbrella.app.example.com").build());

        section("5. Work follows the tenant into other threads");
        ExecutorService pool = TenantContext.wrap(Executors.newFixedThreadPool(2));
        try {
            AdmittedTenant tenant = admission.admit(
                    TenantRequest.builder().host("acme.app.example.com").build());
            List<Future<String>> jobs = tenant.scope()
                    .call(() -> pool.invokeAll(List.of(
                            () -> "report job runs as " + TenantContext.require(),
                            () -> "email job runs as " + TenantContext.require())));
            for (Future<String> job : jobs) {
                out.println(job.get());
            }
            out.println("after the scope: " + TenantContext.binding());
        } finally {
            pool.shutdown();
        }

        section("6. Walk globex through its lifecycle");
        catalog.transition(globex, TenantStatus.SUSPENDED, admin, "Invoice 2026-10 unpaid for 30 days");
        resolve(
                admission,
                "X-Tenant-ID: globex (suspended)",
                TenantRequest.builder().header("X-Tenant-ID", "globex").build());
        catalog.transition(globex, TenantStatus.ACTIVE, admin, "Payment received");
        resolve(
                admission,
                "X-Tenant-ID: globex (resumed)",
                TenantRequest.builder().header("X-Tenant-ID", "globex").build());
        catalog.transition(globex, TenantStatus.ARCHIVED, admin, "Cancelled in writing by company admin");
        resolve(
                admission,
                "X-Tenant-ID: globex (archived)",
                TenantRequest.builder().header("X-Tenant-ID", "globex").build());
        try {
            catalog.transition(globex, TenantStatus.SUSPENDED, admin, "oops");
        } catch (IllegalTenantTransitionException e) {
            out.println("refused: " + e.getMessage());
        }
        printTenants(catalog);

        provisionAndMigrate(catalog, dataSource, admin);

        featureFlags(catalog, audit, dataSource, admin);

        billing(catalog, audit, dataSource, admin, sales);

        support(catalog, audit, dataSource, admin, sales);

        teamAndSettings(catalog, audit, dataSource);

        section("16. The audit trail");
        List<AuditEvent> events =
                audit.query(AuditQuery.builder().limit(100).build()).items();
        for (AuditEvent e : events.reversed()) {
            out.printf(
                    "#%-3d %s %-10s %-7s %-19s %-8s by %s (%s) %s%n",
                    e.sequence(),
                    TIME.format(e.createdAt()),
                    e.action(),
                    e.entityType(),
                    e.entityId(),
                    e.tenantId() == null ? "-" : e.tenantId(),
                    e.actorId(),
                    e.actorRole(),
                    e.metadata());
        }
        AuditVerification ok = audit.verify();
        out.println("verify: intact=" + ok.intact() + ", " + ok.eventsChecked() + " events checked");

        out.println("someone edits event #5 in the database by hand...");
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE tenancy.tenancy_audit_events SET actor_id = 'nobody' WHERE seq = 5");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        AuditVerification tampered = audit.verify();
        out.println("verify: intact=" + tampered.intact() + ", first broken event #"
                + tampered.firstBrokenSequence().orElse(-1) + ": " + tampered.problem());
    }

    private void provisionAndMigrate(TenantCatalog catalog, JdbcDataSource platform, Actor admin) throws Exception {
        section("7. Provision tenants: schema or database, the host's migrations, a seed, then active");
        String url = platform.getURL();
        String template = url.replace("jdbc:h2:mem:", "jdbc:h2:mem:tenant_{database}_");
        try (TenantDataSource routing = TenantDataSource.builder()
                .catalog(catalog)
                .server(DatabaseServer.of("default", url, platform.getUser(), platform.getPassword())
                        .withDatabaseUrlTemplate(template))
                .build()) {
            TenantProvisioner provisioner = TenantProvisioner.builder()
                    .catalog(catalog)
                    .dataSource(routing)
                    .platform(platform)
                    .classLoader(Quickstart.class.getClassLoader())
                    .migrations("classpath:db/tenant/v1")
                    .seed((tenant, c) -> {
                        try (PreparedStatement s = c.prepareStatement(
                                "INSERT INTO orders (tenant_id, id, customer, total_cents) VALUES (?, ?, ?, ?)")) {
                            for (int i = 1; i <= 3; i++) {
                                s.setString(1, tenant.id().value());
                                s.setInt(2, i);
                                s.setString(3, "Customer " + i + " of " + tenant.displayName());
                                s.setLong(4, 1_000L * i);
                                s.addBatch();
                            }
                            s.executeBatch();
                        }
                    })
                    .build();
            long start = System.nanoTime();
            provisioner.provision(TenantId.of("acme"), admin); // database-per-tenant, approved earlier
            List<TenantId> shops = new ArrayList<>();
            for (int i = 1; i <= 24; i++) {
                TenantId shop = TenantId.of(String.format("shop-%02d", i));
                catalog.register(
                        TenantRegistration.builder(shop, "Shop " + i)
                                .isolation(IsolationModel.SCHEMA)
                                .server(routing.place(IsolationModel.SCHEMA))
                                .build(),
                        admin);
                provisioner.provision(shop, admin);
                shops.add(shop);
            }
            out.printf(
                    "provisioned acme (own database) and %d shops (own schemas) in %d ms%n",
                    shops.size(), (System.nanoTime() - start) / 1_000_000);
            out.println("acme sees " + count(routing, TenantId.of("acme"), "orders") + " orders; shop-07 sees "
                    + count(routing, TenantId.of("shop-07"), "orders"));

            section("8. Roll a new migration out to the fleet: canary first, then 4 at a time");
            FleetMigration fleet = FleetMigration.builder()
                    .catalog(catalog)
                    .dataSource(routing)
                    .platform(platform)
                    .classLoader(Quickstart.class.getClassLoader())
                    .migrations("classpath:db/tenant/v1", "classpath:db/tenant/v2")
                    .canary(3)
                    .parallelism(4)
                    .listener(this::progressBar)
                    .build();
            out.println("behind version " + fleet.targetVersion() + ": "
                    + fleet.behind().size() + " tenants");
            FleetReport report = fleet.run();
            out.println();
            out.println(report);
            out.println("behind after the run: " + fleet.behind().size() + " tenants (one ledger query)");
            out.println("shop-07 now has " + count(routing, TenantId.of("shop-07"), "invoices") + " invoices");

            section("9. Offboard a shop: archive, export its data, purge it; a sandbox expires by itself");
            TenantId leaving = TenantId.of("shop-24");
            catalog.transition(leaving, TenantStatus.ARCHIVED, admin, "Customer closed the account");
            TenantOffboarding offboarding = TenantOffboarding.builder()
                    .catalog(catalog)
                    .dataSource(routing)
                    .platform(platform)
                    .retention(Duration.ofDays(30))
                    .build();
            Path export = Files.createTempDirectory("tenancy-export-");
            out.println("exported " + offboarding.export(leaving, export) + " to " + export.getFileName() + "/");
            try {
                offboarding.purge(leaving, admin, false);
            } catch (IllegalStateException e) {
                out.println("refused: " + e.getMessage());
            }
            Tenant purged = offboarding.purge(leaving, admin, true);
            out.println(leaving + " is " + purged.status().key() + " (" + purged.statusReason() + ")");

            // A sandbox for a sales demo: the seed's sample data, gone by itself a week later.
            TenantId sandbox = TenantId.of("sandbox-demo");
            catalog.register(
                    TenantRegistration.builder(sandbox, "Sales demo")
                            .isolation(IsolationModel.SCHEMA)
                            .expiresAt(Instant.now().plus(Duration.ofDays(7)))
                            .build(),
                    admin);
            provisioner.provision(sandbox, admin);
            out.println(
                    "sandbox-demo expires in 7 days and sees " + count(routing, sandbox, "orders") + " sample orders");
            ExpiryReport swept = TenantOffboarding.builder()
                    .catalog(catalog)
                    .dataSource(routing)
                    .platform(platform)
                    .clock(InstantSource.offset(InstantSource.system(), Duration.ofDays(8))) // a week later
                    .build()
                    .expire(Actor.system("expiry-sweep"));
            Tenant expired = catalog.require(sandbox);
            out.println("8 days later the expiry sweep retired " + swept.retired() + " and purged " + swept.purged()
                    + ": " + expired.status().key() + " ("
                    + expired.statusReason().substring(expired.statusReason().indexOf("purged: ")) + ")");

            section("10. Move a shop to a database of its own (an upgrade): copy, verify, switch");
            TenantId upgraded = TenantId.of("shop-12");
            TenantMove.Report moved = TenantMove.builder()
                    .catalog(catalog)
                    .dataSource(routing)
                    .classLoader(Quickstart.class.getClassLoader())
                    .migrations("classpath:db/tenant/v1", "classpath:db/tenant/v2")
                    .build()
                    .move(upgraded, IsolationModel.DATABASE, "default", admin);
            out.println(upgraded + ": " + moved.from() + " -> "
                    + moved.tenant().isolation().key() + "@"
                    + moved.tenant().server() + ", copied " + moved.rows() + "; it now sees "
                    + count(routing, upgraded, "orders") + " orders in its own database");

            oneDomainThroughHibernateAndJooq(catalog, routing, platform, admin);
        }
    }

    private void oneDomainThroughHibernateAndJooq(
            TenantCatalog catalog, TenantDataSource routing, JdbcDataSource platform, Actor admin) throws Exception {
        section("11. One domain through Hibernate and jOOQ: a database, a schema and two shared tenants");
        // Shared tenants' orders live side by side in one table the host migrates itself.
        try (Connection c = platform.getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders (tenant_id VARCHAR(48) NOT NULL, id INT NOT NULL,"
                    + " customer VARCHAR(200) NOT NULL, total_cents BIGINT NOT NULL, PRIMARY KEY (tenant_id, id))");
        }
        TenantId hooli = TenantId.of("hooli");
        catalog.register(
                TenantRegistration.builder(hooli, "Hooli").tier("free").active().build(), admin);
        Table<?> orders = DSL.table(DSL.unquotedName("orders"));
        Field<Integer> id = DSL.field(DSL.unquotedName("id"), Integer.class);
        Field<String> customer = DSL.field(DSL.unquotedName("customer"), String.class);
        Field<Long> total = DSL.field(DSL.unquotedName("total_cents"), Long.class);
        DSLContext jooq = TenancyJooq.builder()
                .dataSource(routing)
                .dialect(SQLDialect.H2)
                .tenantTable(SharedTable.of("orders", "tenant_id"))
                .build()
                .dsl();
        try (SessionFactory hibernate = new HibernatePersistenceConfiguration("quickstart")
                .managedClass(ShopOrder.class)
                .properties(
                        TenancyHibernate.builder().dataSource(routing).build().properties())
                .createEntityManagerFactory()) {
            for (TenantId tenant :
                    List.of(TenantId.of("acme"), TenantId.of("shop-07"), TenantId.of("initech"), hooli)) {
                TenantContext.where(tenant).run(() -> {
                    hibernate.inTransaction(s -> s.persist(new ShopOrder(100, "Walk-in " + tenant, 4_200)));
                    jooq.insertInto(orders, id, customer, total)
                            .values(101, "Phone order " + tenant, 900L)
                            .execute();
                    jooq.update(orders)
                            .set(total, total.plus(100))
                            .where(id.eq(100))
                            .execute();
                    List<String> big = hibernate.fromTransaction(s -> s.createSelectionQuery(
                                    "select o.customer from ShopOrder o where o.totalCents > 2000 order by o.id",
                                    String.class)
                            .getResultList());
                    out.printf(
                            "%-8s %-8s sees %d orders (jOOQ); over 20.00 (Hibernate): %s%n",
                            tenant, catalog.require(tenant).isolation().key(), jooq.fetchCount(orders), big);
                });
            }
        }
        out.println("the shared table holds "
                + TenantContext.system().call(() -> jooq.fetchCount(orders))
                + " rows in all; each shared tenant saw only its own");
    }

    private void featureFlags(TenantCatalog catalog, JdbcAuditLog audit, JdbcDataSource platform, Actor admin)
            throws Exception {
        section("12. Feature flags: a rollout, a trial override with an expiry, a module that needs another");
        Actor pm = Actor.user("pm-paula", "product_manager");
        try (FeatureFlags node1 = FeatureFlags.builder()
                        .store(JdbcFlagStore.builder(platform).auditLog(audit).build())
                        .catalog(catalog)
                        .build();
                FeatureFlags node2 = FeatureFlags.builder()
                        .store(JdbcFlagStore.builder(platform).auditLog(audit).build())
                        .catalog(catalog)
                        .pollInterval(Duration.ofMillis(200))
                        .build()) {
            PlanFeatures.defaults().forEach(d -> node1.define(d, pm, "Shipped plan defaults"));
            node1.define(
                    FlagDefinition.builder("new-editor")
                            .category(FlagCategory.RELEASE)
                            .rolloutByTenant(25)
                            .build(),
                    pm,
                    "Start the rollout");
            List<TenantId> shops = new ArrayList<>();
            for (int i = 1; i <= 23; i++) {
                shops.add(TenantId.of(String.format("shop-%02d", i)));
            }
            Flag editor = node1.flag("new-editor");
            out.println("new-editor at 25 %: "
                    + shops.stream()
                            .filter(editor::isEnabled)
                            .map(TenantId::value)
                            .toList());
            node1.define(
                    FlagDefinition.builder("new-editor")
                            .category(FlagCategory.RELEASE)
                            .rolloutByTenant(50)
                            .build(),
                    pm,
                    "Widen the rollout");
            out.println("new-editor at 50 %: "
                    + shops.stream()
                            .filter(editor::isEnabled)
                            .map(TenantId::value)
                            .toList());

            TenantId initech = TenantId.of("initech");
            out.println("sso-saml for initech (free plan): " + node1.evaluate("sso-saml", initech, null));
            node1.override(
                    FlagOverride.on(initech, "sso-saml", "Two-week SSO trial agreed by sales")
                            .until(java.time.Instant.now().plus(Duration.ofDays(14))),
                    pm);
            out.println("after a 14-day trial override:   " + node1.evaluate("sso-saml", initech, null));

            node1.define(
                    FlagDefinition.builder("wms_core")
                            .category(FlagCategory.MODULE)
                            .build(),
                    pm,
                    "Module");
            node1.define(
                    FlagDefinition.builder("module_b2b_storefront")
                            .category(FlagCategory.MODULE)
                            .requires("wms_core")
                            .build(),
                    pm,
                    "Module");
            out.println("enable module_b2b_storefront for acme -> enabled "
                    + node1.enableModule(TenantId.of("acme"), "module_b2b_storefront", pm, "Signed Commerce OS"));
            try {
                node1.disableModule(TenantId.of("acme"), "wms_core", pm, "Downgrade");
            } catch (ModuleDependencyException e) {
                out.println("refused: " + e.getMessage());
            }

            node1.define(
                    FlagDefinition.builder("export-limits")
                            .on()
                            .config("{\"maxRows\": 1000}")
                            .build(),
                    pm,
                    "Default export limit");
            node1.override(
                    FlagOverride.on(TenantId.of("acme"), "export-limits", "Enterprise deal")
                            .withConfig("{\"maxRows\": 50000}"),
                    pm);
            FlagConfig<ExportLimits> exportLimits = node1.flag("export-limits").config(ExportLimits.class);
            Optional<ExportLimits> acmeLimits =
                    TenantContext.where(TenantId.of("acme")).call(exportLimits::get);
            out.println("export-limits: acme " + acmeLimits.orElseThrow().maxRows() + " rows (override), initech "
                    + exportLimits.get(initech).orElseThrow().maxRows() + " rows (definition)");

            long start = System.nanoTime();
            node1.override(FlagOverride.off(TenantId.of("acme"), "reports", "Reports paused during an audit"), pm);
            Flag reports = node2.flag("reports");
            while (reports.isEnabled(TenantId.of("acme")) && System.nanoTime() - start < 5_000_000_000L) {
                Thread.sleep(5);
            }
            out.printf(
                    "node 2 sees reports %s for acme after %d ms (H2 is polled; PostgreSQL notifies)%n",
                    reports.isEnabled(TenantId.of("acme")) ? "on" : "off", (System.nanoTime() - start) / 1_000_000);
        }
    }

    private void billing(TenantCatalog catalog, JdbcAuditLog audit, JdbcDataSource platform, Actor admin, Actor sales)
            throws Exception {
        section("13. Billing: an enterprise deal, a quota, throttling, and the monthly cycle (dry run first)");
        try (FeatureFlags flags = FeatureFlags.builder()
                .store(JdbcFlagStore.builder(platform).auditLog(audit).build())
                .catalog(catalog) // plan rules read the tier; the catalog tells flags when it changes
                .build()) {
            Billing billing = Billing.builder(platform)
                    .auditLog(audit)
                    .catalog(catalog) // tiers follow plans; the cycle skips tenants that are not active
                    .modules(ModuleEntitlements.of(flags)) // acme has Commerce OS on (section 12)
                    .pricing(PricingConfig.defaults())
                    .build();
            billing.plans().publishDefaults(admin);
            Subscriptions subscriptions = billing.subscriptions();
            TenantId acme = TenantId.of("acme");
            TenantId initech = TenantId.of("initech");
            subscriptions.subscribe(acme, "professional", BillingCycle.MONTHLY, 0, sales, "Signed the order form");
            subscriptions.grant(
                    acme, BillingOverride.PercentOff.of("15"), null, null, sales, "Enterprise deal: 15 % off list");
            subscriptions.subscribe(initech, "free", BillingCycle.MONTHLY, 0, admin, "Self-serve signup");
            try { // globex was archived in section 6: nothing about it changes any more
                subscriptions.subscribe(TenantId.of("globex"), "standard", BillingCycle.MONTHLY, 0, admin, "Come back");
            } catch (TenantOperationRefusedException e) {
                out.println("globex: " + e.getMessage());
            }
            subscriptions.subscribe(TenantId.of("hooli"), "business", BillingCycle.MONTHLY, 14, admin, "Trial");
            for (int i = 1; i <= 5; i++) {
                TenantId shop = TenantId.of(String.format("shop-%02d", i));
                subscriptions.subscribe(shop, "standard", BillingCycle.MONTHLY, 0, admin, "Self-serve signup");
            }
            subscriptions.grant(
                    TenantId.of("shop-05"),
                    new BillingOverride.FreePlatformAccess(),
                    null,
                    null,
                    admin,
                    "Partner test environment");
            out.println("catalog tiers follow the plans: acme "
                    + catalog.require(acme).tier() + ", hooli "
                    + catalog.require(TenantId.of("hooli")).tier() + ", initech "
                    + catalog.require(initech).tier());
            Flag auditTrail = flags.flag("audit-trail"); // business and enterprise plans (PlanFeatures)
            TenantId partner = TenantId.of("shop-05");
            boolean onStandard = auditTrail.isEnabled(partner);
            long upgradedAt = System.nanoTime();
            subscriptions.changePlan(partner, "business", admin, "Partner tests the business features");
            while (!auditTrail.isEnabled(partner) && System.nanoTime() - upgradedAt < 5_000_000_000L) {
                Thread.sleep(1);
            }
            out.printf(
                    "audit-trail for shop-05: %s on standard, %s on business (%s) %d ms after the plan change%n",
                    onStandard ? "on" : "off",
                    auditTrail.isEnabled(partner) ? "on" : "off",
                    auditTrail.evaluate(partner, null).reason(),
                    (System.nanoTime() - upgradedAt) / 1_000_000);
            Terms terms = subscriptions.terms(acme).orElseThrow();
            out.println("acme: " + terms.plan().ref() + ", " + terms.percentOff() / 100 + " % off, api_calls "
                    + terms.limit("api_calls") + ", users " + terms.limit("users"));

            // re-read limits as soon as a lease runs out (a demo; the default is every 30 s)
            try (UsageMeter meter = billing.meter().termsTtl(Duration.ZERO).build()) {
                int sent = 0;
                try {
                    while (true) {
                        meter.enforce(initech, Metric.INVOICES, 1);
                        sent++;
                    }
                } catch (QuotaExceededException e) {
                    out.println("initech sent " + sent + " invoices, then: " + e.getMessage());
                }
                subscriptions.grant(
                        initech,
                        new BillingOverride.LimitOverride("invoices", Limit.hard(12)),
                        null,
                        null,
                        sales,
                        "Month-end spike, agreed on the phone");
                while (meter.tryConsume(initech, Metric.INVOICES, 1)) {
                    sent++;
                }
                out.println("with a limit override of 12: initech sent " + sent);
                out.println("a retried webhook is counted once: "
                        + meter.record(acme, Metric.USERS, 1, "invite-ana").outcome() + ", "
                        + meter.record(acme, Metric.USERS, 1, "invite-ana").outcome());
            }

            try (ApiThrottle throttle =
                    billing.throttle().limits(t -> new RateLimit(10, 300)).build()) {
                int allowed = 0;
                for (int i = 0; i < 25; i++) {
                    allowed += throttle.tryAcquire(initech).allowed() ? 1 : 0;
                }
                throttle.flush();
                out.println("a burst of 25 API calls at 10/s: " + allowed + " allowed; throttle awareness: "
                        + ThrottleAwareness.of(audit, java.time.Instant.now()));
            }

            SubscriptionCycle cycle = billing.cycle();
            java.time.YearMonth month = java.time.YearMonth.now(ZoneOffset.UTC);
            CycleResult dry = cycle.run(month.atDay(1), month.atEndOfMonth(), true, admin);
            out.println("dry run  " + month + ": " + dry.counters());
            CycleResult real = cycle.run(month.atDay(1), month.atEndOfMonth(), false, admin);
            out.println("real run " + month + ": " + real.counters());
            out.println("run again:        "
                    + cycle.run(month.atDay(1), month.atEndOfMonth(), false, admin)
                            .counters());
            Invoice invoice = cycle.invoices(acme).getFirst();
            out.println("acme's invoice for " + invoice.period() + ", due " + invoice.dueOn() + ":");
            for (InvoiceLine line : invoice.lines()) {
                out.printf("  %-9s %-40s %12s%n", line.kind(), line.description(), line.amount());
            }
            out.printf("  %-50s %12s%n", "total", invoice.total());
            BillingAnalytics analytics = billing.analytics();
            out.println(
                    "MRR " + analytics.mrr(subscriptions.today()) + ", ARR " + analytics.arr(subscriptions.today()));
        }
    }

    private synchronized void progressBar(FleetReport.Outcome outcome, int done, int total) {
        int width = 30;
        int filled = total == 0 ? width : done * width / total;
        out.printf(
                "\r[%s%s] %2d/%d %-8s %s",
                "#".repeat(filled),
                ".".repeat(width - filled),
                done,
                total,
                outcome.tenant(),
                outcome.result().name().toLowerCase(java.util.Locale.ROOT));
        out.flush();
    }

    private void support(TenantCatalog catalog, JdbcAuditLog audit, JdbcDataSource platform, Actor admin, Actor sales)
            throws Exception {
        section("14. Support: impersonate a tenant's user, read-only, with the tenant's consent");
        Impersonations impersonations = Impersonations.builder()
                .catalog(catalog)
                .auditLog(audit)
                .policy(AccessPolicy.platformDefaults())
                .dataSource(platform)
                .build();
        TenantId acme = TenantId.of("acme");
        java.util.function.Supplier<ImpersonationRequest.Builder> request =
                () -> ImpersonationRequest.builder(admin, acme, "jane@acme.com", "company_admin")
                        .reason("Jane reports a wrong order total, ticket #4521")
                        .consent(ConsentSource.TICKET, "#4521");
        try {
            impersonations.start(ImpersonationRequest.builder(sales, acme, "jane@acme.com", "company_admin")
                    .reason("curious")
                    .consent(ConsentSource.OTHER, "none")
                    .build());
        } catch (AccessDeniedException e) {
            out.println("sales-sam: refused: " + e.getMessage());
        }
        try {
            impersonations.start(request.get().write().build());
        } catch (AccessDeniedException e) {
            out.println("write mode: refused: " + e.getMessage());
        }
        Impersonation session = impersonations.start(request.get().build());
        out.println(admin.id() + " impersonates " + session.user() + " in " + session.tenant() + " ("
                + session.mode().key() + ") until " + TIME.format(session.expiresAt()));
        String url = platform.getURL();
        try (TenantDataSource routing = TenantDataSource.builder()
                .catalog(catalog)
                .server(DatabaseServer.of("default", url, platform.getUser(), platform.getPassword())
                        .withDatabaseUrlTemplate(url.replace("jdbc:h2:mem:", "jdbc:h2:mem:tenant_{database}_")))
                .build()) {
            TenantScope asJane = impersonations.scope(session.id(), admin); // per request
            long orders = asJane.call(() -> count(routing, acme, "orders"));
            impersonations.record(session.id(), admin, "orders.listed", java.util.Map.of("count", orders));
            out.println("as jane@acme.com: sees " + orders + " orders");
            try {
                asJane.call(() -> {
                    try (Connection c = routing.getConnection();
                            Statement s = c.createStatement()) {
                        return s.executeUpdate("UPDATE orders SET total_cents = 0");
                    }
                });
            } catch (SQLException e) {
                out.println("as jane@acme.com: an UPDATE is refused: " + e.getMessage());
            }
        }
        Impersonation ended = impersonations.end(session.id(), admin);
        out.println("session ended after "
                + Duration.between(ended.startedAt(), ended.endedAt()).toMillis()
                + " ms; acme's audit shows "
                + audit.query(AuditQuery.builder()
                                .tenant(acme)
                                .entityType(Impersonations.ENTITY_TYPE)
                                .build())
                        .total()
                + " impersonation events");
    }

    /** A tenant's branding, one section of its settings; the constructor checks the colour. */
    public record Branding(String primaryColor, String logoUrl) {
        public static final Branding DEFAULT = new Branding("#2563eb", null);

        public Branding {
            if (primaryColor == null || !primaryColor.matches("#[0-9a-fA-F]{6}")) {
                throw new IllegalArgumentException(
                        "primaryColor must be a colour like #2563eb, was '" + primaryColor + "'");
            }
        }
    }

    private void teamAndSettings(TenantCatalog catalog, JdbcAuditLog audit, JdbcDataSource platform) throws Exception {
        section("15. A tenant's team and settings: an invitation accepted once, branding changed field by field");
        TenantId acme = TenantId.of("acme");
        Actor owner = Actor.user("jane@acme.com", "company_admin");
        Invitations invitations = Invitations.builder()
                .catalog(catalog)
                .auditLog(audit)
                .dataSource(platform)
                .build();
        IssuedInvitation sent = invitations.invite(acme, "Omar@Acme.com", "accountant", owner);
        out.println("invited " + sent.invitation().email() + " as "
                + sent.invitation().role() + " until "
                + sent.invitation().expiresAt().toString().substring(0, 10) + "; the link carries a "
                + sent.token().length() + "-character token, stored only as its SHA-256");
        Invitation joined = invitations.accept(sent.token(), "user-omar");
        out.println("accepted by " + joined.decidedBy() + ": " + joined.status().key() + " in " + joined.tenant());
        try {
            invitations.accept(sent.token(), "user-eve");
        } catch (InvitationNotValidException e) {
            out.println("the same link again: refused: " + e.getMessage());
        }

        try (TenantSettings settings = TenantSettings.builder()
                .catalog(catalog)
                .auditLog(audit)
                .dataSource(platform)
                .section("branding", Branding.class, Branding.DEFAULT)
                .build()) {
            out.println("acme's branding before: " + settings.get(acme, Branding.class));
            settings.merge(acme, "branding", "{\"primaryColor\": \"#ff6600\"}", owner);
            out.println("after a patch of one field: "
                    + TenantContext.where(acme).call(() -> settings.current(Branding.class)));
            try {
                settings.merge(acme, "branding", "{\"primaryColor\": \"orange\"}", owner);
            } catch (IllegalArgumentException e) {
                out.println("refused: " + e.getMessage());
            }
        }
    }

    private static long count(TenantDataSource routing, TenantId tenant, String table) throws Exception {
        return TenantContext.where(tenant).call(() -> {
            try (Connection c = routing.getConnection();
                    Statement s = c.createStatement();
                    java.sql.ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private void resolve(TenantAdmission admission, String label, TenantRequest request) {
        try {
            AdmittedTenant t = admission.admit(request);
            out.printf("%-45s -> %s (by %s%s)%n", label, t.id(), t.resolvedBy(), t.readOnly() ? ", read-only" : "");
        } catch (TenancyException e) {
            out.printf("%-45s -> refused: %s%n", label, e.getMessage());
        }
    }

    private void printTenants(TenantCatalog catalog) {
        out.printf("%-10s %-12s %-17s %-11s %-9s %s%n", "ID", "NAME", "STATUS", "TIER", "MODEL", "OWNER");
        for (Tenant t : catalog.list(TenantQuery.all()).items()) {
            out.printf(
                    "%-10s %-12s %-17s %-11s %-9s %s%n",
                    t.id(),
                    t.displayName(),
                    t.status().key(),
                    t.tier(),
                    t.isolation().key(),
                    t.ownerEmail());
        }
    }

    private void section(String title) {
        out.println();
        out.println("== " + title);
    }
}
