package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import dev.tenancy.IllegalTenantTransitionException;
import dev.tenancy.IsolationModel;
import dev.tenancy.Tenant;
import dev.tenancy.TenantAlreadyExistsException;
import dev.tenancy.TenantId;
import dev.tenancy.TenantStatus;
import dev.tenancy.UnknownTenantException;
import dev.tenancy.audit.AuditEvent;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.AuditQuery;
import dev.tenancy.catalog.CatalogChangeNotifications;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantDomain;
import dev.tenancy.catalog.TenantQuery;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.catalog.TenantUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link TenantCatalog}: extend it and return the implementation under test from
 * {@link #newCatalog}; every test gets a fresh catalog and audit log.
 */
public abstract class TenantCatalogContract {

    /** The catalog under test and the audit log it records to. */
    public record Subject(TenantCatalog catalog, AuditLog audit) {}

    /** A fresh, empty catalog timed by {@code clock}, recording to a fresh audit log. */
    protected abstract Subject newCatalog(MutableClock clock);

    protected static final Actor ADMIN = Actor.user("u-42", "system_admin");
    protected static final TenantId ACME = TenantId.of("acme");

    protected MutableClock clock;
    protected TenantCatalog catalog;
    protected AuditLog audit;

    @BeforeEach
    void setUpCatalog() {
        clock = MutableClock.atStartOf2026();
        Subject subject = newCatalog(clock);
        catalog = subject.catalog();
        audit = subject.audit();
    }

    protected Tenant register(String id, String name) {
        return catalog.register(
                TenantRegistration.builder(TenantId.of(id), name).build(), ADMIN);
    }

    protected List<AuditEvent> auditOf(TenantId id) {
        return audit.query(AuditQuery.builder().tenant(id).limit(1000).build()).items();
    }

    @Nested
    @DisplayName("registration")
    class Registration {
        @Test
        @DisplayName("a registered tenant is found with every field as given, pending approval, version 1")
        void register_thenFind_returnsTheSameRecord() {
            Tenant registered = catalog.register(
                    TenantRegistration.builder(ACME, "Acme Corp")
                            .tier("pro")
                            .isolation(IsolationModel.SCHEMA)
                            .server("eu-1")
                            .ownerEmail("jane@acme.com")
                            .attribute("crm-id", "0012")
                            .build(),
                    ADMIN);

            assertThat(catalog.find(ACME)).contains(registered);
            assertThat(registered.status()).isEqualTo(TenantStatus.PENDING_APPROVAL);
            assertThat(registered.displayName()).isEqualTo("Acme Corp");
            assertThat(registered.tier()).isEqualTo("pro");
            assertThat(registered.isolation()).isEqualTo(IsolationModel.SCHEMA);
            assertThat(registered.server()).isEqualTo("eu-1");
            assertThat(registered.ownerEmail()).isEqualTo("jane@acme.com");
            assertThat(registered.attributes()).containsEntry("crm-id", "0012");
            assertThat(registered.createdAt()).isEqualTo(clock.instant());
            assertThat(registered.version()).isEqualTo(1);
        }

        @Test
        @DisplayName("auto-approve registers the tenant active")
        void register_active_startsActive() {
            Tenant t = catalog.register(
                    TenantRegistration.builder(ACME, "Acme").active().build(), ADMIN);
            assertThat(t.status()).isEqualTo(TenantStatus.ACTIVE);
        }

        @Test
        @DisplayName("registration is audited as create, with actor, role and the new record's fields")
        void register_recordsOneAuditEvent() {
            register("acme", "Acme Corp");

            List<AuditEvent> events = auditOf(ACME);
            assertThat(events).hasSize(1);
            AuditEvent e = events.getFirst();
            assertThat(e.action()).isEqualTo("create");
            assertThat(e.entityType()).isEqualTo("tenant");
            assertThat(e.entityId()).isEqualTo("acme");
            assertThat(e.actorId()).isEqualTo("u-42");
            assertThat(e.actorRole()).isEqualTo("system_admin");
            assertThat(e.metadata())
                    .containsEntry("displayName", "Acme Corp")
                    .containsEntry("status", "pending_approval");
        }

        @Test
        @DisplayName("an id is registered once: the second attempt is refused and audits nothing")
        void register_duplicate_isRefused() {
            register("acme", "Acme Corp");

            assertThatThrownBy(() -> register("acme", "Other"))
                    .isInstanceOf(TenantAlreadyExistsException.class)
                    .hasMessageContaining("'acme'");
            assertThat(catalog.require(ACME).displayName()).isEqualTo("Acme Corp");
            assertThat(auditOf(ACME)).hasSize(1);
        }

        @Test
        @DisplayName("of many threads registering one id at once, exactly one wins")
        void register_concurrently_exactlyOneWins() throws Exception {
            int threads = 8;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Callable<Boolean>> attempts = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    String name = "Acme " + i;
                    attempts.add(() -> {
                        try {
                            register("acme", name);
                            return true;
                        } catch (TenantAlreadyExistsException e) {
                            return false;
                        }
                    });
                }
                int wins = 0;
                for (Future<Boolean> f : pool.invokeAll(attempts)) {
                    wins += f.get() ? 1 : 0;
                }
                assertThat(wins).isEqualTo(1);
                assertThat(auditOf(ACME)).hasSize(1);
            } finally {
                pool.shutdownNow();
            }
        }

        @Test
        @DisplayName("an unknown id is empty on find and UnknownTenantException on require")
        void find_unknown_isEmpty() {
            assertThat(catalog.find(TenantId.of("nobody"))).isEmpty();
            assertThatThrownBy(() -> catalog.require(TenantId.of("nobody")))
                    .isInstanceOf(UnknownTenantException.class)
                    .hasMessageContaining("'nobody'");
        }
    }

    @Nested
    @DisplayName("lifecycle")
    class Lifecycle {
        @Test
        @DisplayName("approve, suspend, resume, archive, purge: each move is kept with its reason and audited")
        void transition_walksTheLifecycle() {
            register("acme", "Acme");
            TenantStatus[] path = {
                TenantStatus.ACTIVE,
                TenantStatus.SUSPENDED,
                TenantStatus.ACTIVE,
                TenantStatus.ARCHIVED,
                TenantStatus.PURGED
            };
            long version = 1;
            for (TenantStatus target : path) {
                clock.advance(Duration.ofMinutes(1));
                Tenant t = catalog.transition(ACME, target, ADMIN, "because " + target.key());
                assertThat(t.status()).isEqualTo(target);
                assertThat(t.statusReason()).isEqualTo("because " + target.key());
                assertThat(t.updatedAt()).isEqualTo(clock.instant());
                assertThat(t.version()).isEqualTo(++version);
                assertThat(catalog.require(ACME)).isEqualTo(t);
            }
            List<AuditEvent> transitions = audit.query(AuditQuery.builder()
                            .tenant(ACME)
                            .action("transition")
                            .build())
                    .items();
            assertThat(transitions).hasSize(path.length);
            assertThat(transitions.getFirst().metadata())
                    .containsEntry("from", "archived")
                    .containsEntry("to", "purged")
                    .containsEntry("reason", "because purged");
        }

        @Test
        @DisplayName("every move outside the transition table is refused with tenant, from and to, changing nothing")
        void transition_illegal_isRefusedAndChangesNothing() {
            for (TenantStatus from : TenantStatus.values()) {
                for (TenantStatus to : TenantStatus.values()) {
                    if (from.canMoveTo(to)) {
                        continue;
                    }
                    TenantId id = TenantId.of("t-" + from.ordinal() + "-" + to.ordinal());
                    catalog.register(TenantRegistration.builder(id, "T").build(), ADMIN);
                    walkTo(id, from);
                    Tenant before = catalog.require(id);
                    int events = auditOf(id).size();

                    assertThatThrownBy(() -> catalog.transition(id, to, ADMIN, "try"))
                            .isInstanceOfSatisfying(IllegalTenantTransitionException.class, e -> {
                                assertThat(e.tenant()).isEqualTo(id);
                                assertThat(e.from()).isEqualTo(from);
                                assertThat(e.to()).isEqualTo(to);
                            })
                            .hasMessageContaining(from.key())
                            .hasMessageContaining(to.key());
                    assertThat(catalog.require(id)).isEqualTo(before);
                    assertThat(auditOf(id)).hasSize(events);
                }
            }
        }

        private void walkTo(TenantId id, TenantStatus target) {
            List<TenantStatus> route = switch (target) {
                case PENDING_APPROVAL -> List.of();
                case ACTIVE -> List.of(TenantStatus.ACTIVE);
                case SUSPENDED -> List.of(TenantStatus.ACTIVE, TenantStatus.SUSPENDED);
                case ARCHIVED -> List.of(TenantStatus.ACTIVE, TenantStatus.ARCHIVED);
                case REJECTED -> List.of(TenantStatus.REJECTED);
                case PURGED -> List.of(TenantStatus.REJECTED, TenantStatus.PURGED);
            };
            for (TenantStatus s : route) {
                catalog.transition(id, s, ADMIN, "set up");
            }
        }

        @Test
        @DisplayName("a move needs a reason; a blank one is refused")
        void transition_blankReason_isRefused() {
            register("acme", "Acme");
            assertThatThrownBy(() -> catalog.transition(ACME, TenantStatus.ACTIVE, ADMIN, "  "))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("reason");
            assertThat(catalog.require(ACME).status()).isEqualTo(TenantStatus.PENDING_APPROVAL);
        }

        @Test
        @DisplayName("moving an unknown tenant is UnknownTenantException")
        void transition_unknown_isRefused() {
            assertThatThrownBy(() -> catalog.transition(ACME, TenantStatus.ACTIVE, ADMIN, "x"))
                    .isInstanceOf(UnknownTenantException.class);
        }
    }

    @Nested
    @DisplayName("change notifications")
    class Notifications {
        private final BlockingQueue<String> heard = new LinkedBlockingQueue<>();

        private CatalogChangeNotifications notifications() {
            assertThat(catalog).isInstanceOf(CatalogChangeNotifications.class);
            return (CatalogChangeNotifications) catalog;
        }

        /** What a subscriber saw: the tenant, and its tier and status looked up from the callback. */
        private void record(TenantId id) {
            Tenant t = catalog.require(id);
            heard.add(id + " " + t.tier() + " " + t.status().key());
        }

        private String next() throws InterruptedException {
            return heard.poll(10, TimeUnit.SECONDS);
        }

        @Test
        @DisplayName("a subscriber hears of each change, once it took effect: a lookup from the callback sees it")
        void subscriber_hearsEachChange_afterItTookEffect() throws Exception {
            register("acme", "Acme");
            try (AutoCloseable subscription = notifications().subscribe(this::record)) {
                catalog.update(ACME, TenantUpdate.builder().tier("enterprise").build(), ADMIN);
                assertThat(next()).isEqualTo("acme enterprise pending_approval");

                catalog.transition(ACME, TenantStatus.ACTIVE, ADMIN, "KYC passed");
                assertThat(next()).isEqualTo("acme enterprise active");

                register("globex", "Globex");
                assertThat(next()).isEqualTo("globex free pending_approval");

                catalog.addDomain(ACME, "app.acme.com", ADMIN);
                assertThat(next()).isEqualTo("acme enterprise active");
                catalog.verifyDomain("app.acme.com", ADMIN);
                assertThat(next()).isEqualTo("acme enterprise active");
                catalog.removeDomain("app.acme.com", ADMIN);
                assertThat(next()).isNotNull();
            }
        }

        @Test
        @DisplayName("a subscriber that throws neither fails nor undoes the change, and the others still hear it")
        void failingSubscriber_neitherFailsNorUndoesTheChange() throws Exception {
            register("acme", "Acme");
            try (AutoCloseable failing = notifications().subscribe(id -> {
                        throw new IllegalStateException("subscriber bug");
                    });
                    AutoCloseable recording = notifications().subscribe(this::record)) {
                Tenant updated =
                        catalog.update(ACME, TenantUpdate.builder().tier("pro").build(), ADMIN);

                assertThat(updated.tier()).isEqualTo("pro");
                assertThat(next()).isEqualTo("acme pro pending_approval");
                assertThat(catalog.require(ACME).tier()).isEqualTo("pro");
            }
        }

        @Test
        @DisplayName("a closed subscription hears nothing more")
        void closedSubscription_hearsNothingMore() throws Exception {
            register("acme", "Acme");
            BlockingQueue<TenantId> closedHeard = new LinkedBlockingQueue<>();
            AutoCloseable closed = notifications().subscribe(closedHeard::add);
            closed.close();
            try (AutoCloseable open = notifications().subscribe(this::record)) {
                catalog.update(ACME, TenantUpdate.builder().tier("pro").build(), ADMIN);
                assertThat(next()).isEqualTo("acme pro pending_approval");
            }
            assertThat(closedHeard).isEmpty();
        }
    }

    @Nested
    @DisplayName("updates")
    class Updates {
        @Test
        @DisplayName("an update changes only the given fields, bumps the version and audits the differences")
        void update_changesFieldsAndAuditsDiff() {
            catalog.register(
                    TenantRegistration.builder(ACME, "Acme")
                            .attribute("trial", "yes")
                            .attribute("crm-id", "1")
                            .build(),
                    ADMIN);
            clock.advance(Duration.ofHours(1));

            Tenant t = catalog.update(
                    ACME,
                    TenantUpdate.builder()
                            .displayName("Acme Corp")
                            .tier("enterprise")
                            .attribute("crm-id", "2")
                            .removeAttribute("trial")
                            .build(),
                    ADMIN);

            assertThat(t.id()).isEqualTo(ACME);
            assertThat(t.displayName()).isEqualTo("Acme Corp");
            assertThat(t.tier()).isEqualTo("enterprise");
            assertThat(t.attributes()).containsExactlyEntriesOf(java.util.Map.of("crm-id", "2"));
            assertThat(t.version()).isEqualTo(2);
            assertThat(t.updatedAt()).isEqualTo(clock.instant());
            assertThat(catalog.require(ACME)).isEqualTo(t);
            AuditEvent e = audit.query(AuditQuery.builder().action("update").build())
                    .items()
                    .getFirst();
            assertThat(e.metadata().toString())
                    .contains("tier")
                    .contains("enterprise")
                    .doesNotContain("ownerEmail");
        }

        @Test
        @DisplayName("a placement update moves the record to another model and server, audited, and is counted there")
        void update_placement_movesTheRecord() {
            catalog.register(TenantRegistration.builder(ACME, "Acme").build(), ADMIN);

            Tenant t = catalog.update(
                    ACME,
                    TenantUpdate.builder()
                            .placement(dev.tenancy.IsolationModel.DATABASE, "eu-2")
                            .build(),
                    ADMIN);

            assertThat(t.isolation()).isEqualTo(dev.tenancy.IsolationModel.DATABASE);
            assertThat(t.server()).isEqualTo("eu-2");
            assertThat(catalog.require(ACME)).isEqualTo(t);
            assertThat(catalog.countByServer(dev.tenancy.IsolationModel.DATABASE))
                    .containsEntry("eu-2", 1L);
            assertThat(catalog.countByServer(dev.tenancy.IsolationModel.SHARED)).doesNotContainKey("default");
            AuditEvent e = audit.query(AuditQuery.builder().action("update").build())
                    .items()
                    .getFirst();
            assertThat(e.metadata().toString())
                    .contains("isolation={from=shared, to=database}")
                    .contains("server={from=default, to=eu-2}");
        }

        @Test
        @DisplayName("updating an unknown tenant is UnknownTenantException")
        void update_unknown_isRefused() {
            assertThatThrownBy(() -> catalog.update(
                            ACME, TenantUpdate.builder().tier("pro").build(), ADMIN))
                    .isInstanceOf(UnknownTenantException.class);
        }
    }

    @Nested
    @DisplayName("expiry")
    class Expiry {
        private Tenant sandbox(String id, Duration life) {
            return catalog.register(
                    TenantRegistration.builder(TenantId.of(id), "Sandbox " + id)
                            .expiresAt(clock.instant().plus(life))
                            .active()
                            .build(),
                    ADMIN);
        }

        @Test
        @DisplayName("a tenant registered with an expiry keeps it, audited; others never expire")
        void register_withExpiry_isReadBack() {
            Tenant sandbox = sandbox("demo-1", Duration.ofDays(7));
            Tenant permanent = register("acme", "Acme");

            assertThat(catalog.require(sandbox.id()).expiresAt())
                    .isEqualTo(clock.instant().plus(Duration.ofDays(7)));
            assertThat(catalog.require(sandbox.id())).isEqualTo(sandbox);
            assertThat(permanent.expiresAt()).isNull();
            assertThat(sandbox.isExpiredAt(clock.instant())).isFalse();
            assertThat(sandbox.isExpiredAt(clock.instant().plus(Duration.ofDays(7))))
                    .isTrue();
            assertThat(auditOf(sandbox.id()).getFirst().metadata())
                    .containsEntry("expiresAt", sandbox.expiresAt().toString());
        }

        @Test
        @DisplayName(
                "an expiry that is not in the future is refused at registration, naming it, and nothing is registered")
        void register_expiredAlready_isRefused() {
            Instant past = clock.instant().minusSeconds(1);
            assertThatThrownBy(() -> catalog.register(
                            TenantRegistration.builder(ACME, "Acme")
                                    .expiresAt(past)
                                    .build(),
                            ADMIN))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'acme'")
                    .hasMessageContaining(past.toString())
                    .hasMessageContaining("in the future");
            assertThat(catalog.find(ACME)).isEmpty();
            assertThat(auditOf(ACME)).isEmpty();
        }

        @Test
        @DisplayName("an update extends, shortens or removes the expiry, audited from and to")
        void update_changesTheExpiry() {
            Tenant sandbox = sandbox("demo-1", Duration.ofDays(7));
            Instant later = sandbox.expiresAt().plus(Duration.ofDays(30));

            Tenant extended = catalog.update(
                    sandbox.id(), TenantUpdate.builder().expiresAt(later).build(), ADMIN);
            Tenant kept = catalog.update(
                    sandbox.id(), TenantUpdate.builder().neverExpires().build(), ADMIN);

            assertThat(extended.expiresAt()).isEqualTo(later);
            assertThat(kept.expiresAt()).isNull();
            assertThat(catalog.require(sandbox.id()).expiresAt()).isNull();
            assertThat(auditOf(sandbox.id()))
                    .filteredOn(e -> e.action().equals("update"))
                    .extracting(e -> e.metadata().get("changes").toString())
                    .containsExactly( // newest first
                            "{expiresAt={from=" + later + ", to=null}}",
                            "{expiresAt={from=" + sandbox.expiresAt() + ", to=" + later + "}}");
            assertThatThrownBy(() -> TenantUpdate.builder()
                            .expiresAt(later)
                            .neverExpires()
                            .build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("choose one");
        }

        @Test
        @DisplayName("listing filters tenants whose expiry is before an instant")
        void list_expiringBefore() {
            sandbox("demo-1", Duration.ofDays(1));
            sandbox("demo-7", Duration.ofDays(7));
            register("acme", "Acme");

            assertThat(catalog.list(TenantQuery.builder()
                                    .expiringBefore(clock.instant().plus(Duration.ofDays(2)))
                                    .build())
                            .items())
                    .extracting(t -> t.id().value())
                    .containsExactly("demo-1");
            assertThat(catalog.list(TenantQuery.builder()
                                    .expiringBefore(clock.instant().plus(Duration.ofDays(8)))
                                    .build())
                            .total())
                    .isEqualTo(2);
        }

        @Test
        @DisplayName("an expired tenant is not made active again until its expiry is extended or removed")
        void activate_expired_isRefusedUntilExtended() {
            Tenant sandbox = sandbox("demo-1", Duration.ofDays(7));
            catalog.transition(sandbox.id(), TenantStatus.ARCHIVED, ADMIN, "expired");
            clock.advance(Duration.ofDays(8));

            assertThatThrownBy(() -> catalog.transition(sandbox.id(), TenantStatus.ACTIVE, ADMIN, "restore"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'demo-1' expired at " + sandbox.expiresAt())
                    .hasMessageContaining("neverExpires");
            assertThat(catalog.require(sandbox.id()).status()).isEqualTo(TenantStatus.ARCHIVED);

            catalog.update(
                    sandbox.id(),
                    TenantUpdate.builder()
                            .expiresAt(clock.instant().plus(Duration.ofDays(7)))
                            .build(),
                    ADMIN);
            assertThat(catalog.transition(sandbox.id(), TenantStatus.ACTIVE, ADMIN, "restore")
                            .status())
                    .isEqualTo(TenantStatus.ACTIVE);
        }
    }

    @Nested
    @DisplayName("custom domains")
    class Domains {
        @Test
        @DisplayName("a domain resolves only once verified, whatever the case, port or trailing dot of the host")
        void domain_resolvesOnlyWhenVerified() {
            register("acme", "Acme");
            TenantDomain added = catalog.addDomain(ACME, "App.Acme.com", ADMIN);
            assertThat(added.domain()).isEqualTo("app.acme.com");
            assertThat(added.verified()).isFalse();
            assertThat(catalog.findByDomain("app.acme.com")).isEmpty();

            catalog.verifyDomain("app.acme.com", ADMIN);

            assertThat(catalog.findByDomain("APP.acme.com:8443")).contains(ACME);
            assertThat(catalog.findByDomain("app.acme.com.")).contains(ACME);
            assertThat(catalog.domains(ACME)).extracting(TenantDomain::verified).containsExactly(true);
            assertThat(auditOf(ACME)).extracting(AuditEvent::action).contains("create", "verify");
        }

        @Test
        @DisplayName("the first verified domain is primary; another verified one can be made primary, one at a time")
        void primaryDomain_isTheFirstVerified_untilAnotherIsMadePrimary() {
            register("acme", "Acme");
            register("globex", "Globex");
            catalog.addDomain(ACME, "app.acme.com", ADMIN);
            catalog.addDomain(ACME, "portal.acme.com", ADMIN);
            catalog.addDomain(TenantId.of("globex"), "globex.example", ADMIN);
            assertThat(catalog.primaryDomain(ACME)).isEmpty();
            assertThatThrownBy(() -> catalog.setPrimaryDomain("portal.acme.com", ADMIN))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'portal.acme.com'")
                    .hasMessageContaining("verify it");

            catalog.verifyDomain("app.acme.com", ADMIN);
            catalog.verifyDomain("portal.acme.com", ADMIN);
            catalog.verifyDomain("globex.example", ADMIN);
            assertThat(catalog.primaryDomain(ACME)).map(TenantDomain::domain).contains("app.acme.com");
            assertThat(catalog.primaryDomain(TenantId.of("globex")))
                    .map(TenantDomain::domain)
                    .contains("globex.example");

            TenantDomain made = catalog.setPrimaryDomain("Portal.Acme.com", ADMIN);

            assertThat(made.primary()).isTrue();
            assertThat(catalog.domains(ACME))
                    .extracting(TenantDomain::domain, TenantDomain::primary)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("app.acme.com", false),
                            org.assertj.core.groups.Tuple.tuple("portal.acme.com", true));
            assertThat(catalog.primaryDomain(TenantId.of("globex")))
                    .map(TenantDomain::domain)
                    .contains("globex.example");
            assertThat(catalog.findByDomain("app.acme.com")).contains(ACME); // still mapped and verified
            catalog.setPrimaryDomain("portal.acme.com", ADMIN); // already primary: nothing recorded
            assertThat(auditOf(ACME))
                    .filteredOn(e -> e.action().equals("make-primary"))
                    .extracting(e -> e.entityId() + " <- " + e.metadata().get("previous"))
                    .containsExactlyInAnyOrder("app.acme.com <- null", "portal.acme.com <- app.acme.com");

            assertThatThrownBy(() -> catalog.setPrimaryDomain("nowhere.acme.com", ADMIN))
                    .isInstanceOf(UnknownTenantException.class);
        }

        @Test
        @DisplayName("removing the primary domain makes the first other verified one primary; with none left, none is")
        void primaryDomain_removed_passesToTheNextVerifiedDomain() {
            register("acme", "Acme");
            for (String domain : List.of("www.acme.com", "app.acme.com", "portal.acme.com", "new.acme.com")) {
                catalog.addDomain(ACME, domain, ADMIN);
            }
            catalog.verifyDomain("www.acme.com", ADMIN);
            catalog.verifyDomain("portal.acme.com", ADMIN);
            catalog.verifyDomain("app.acme.com", ADMIN); // new.acme.com stays unverified

            catalog.removeDomain("portal.acme.com", ADMIN); // not primary: nothing moves
            assertThat(catalog.primaryDomain(ACME)).map(TenantDomain::domain).contains("www.acme.com");

            catalog.removeDomain("www.acme.com", ADMIN);
            assertThat(catalog.primaryDomain(ACME)).map(TenantDomain::domain).contains("app.acme.com");
            assertThat(catalog.findByDomain("app.acme.com")).contains(ACME);

            catalog.removeDomain("app.acme.com", ADMIN);
            assertThat(catalog.primaryDomain(ACME)).isEmpty(); // an unverified domain never becomes primary
            assertThat(catalog.domains(ACME)).extracting(TenantDomain::domain).containsExactly("new.acme.com");
            assertThat(auditOf(ACME))
                    .filteredOn(e -> e.action().equals("make-primary"))
                    .extracting(e -> e.entityId() + " <- " + e.metadata().get("previous"))
                    .containsExactlyInAnyOrder("www.acme.com <- null", "app.acme.com <- www.acme.com");
        }

        @Test
        @DisplayName("a domain belongs to one tenant; a second claim is refused")
        void domain_twice_isRefused() {
            register("acme", "Acme");
            register("globex", "Globex");
            catalog.addDomain(ACME, "app.acme.com", ADMIN);
            assertThatThrownBy(() -> catalog.addDomain(TenantId.of("globex"), "app.acme.com", ADMIN))
                    .isInstanceOf(TenantAlreadyExistsException.class)
                    .hasMessageContaining("app.acme.com");
        }

        @Test
        @DisplayName("a removed domain no longer resolves; removing an unmapped one does nothing")
        void domain_removed_noLongerResolves() {
            register("acme", "Acme");
            catalog.addDomain(ACME, "app.acme.com", ADMIN);
            catalog.verifyDomain("app.acme.com", ADMIN);
            catalog.removeDomain("app.acme.com", ADMIN);
            catalog.removeDomain("app.acme.com", ADMIN);
            assertThat(catalog.findByDomain("app.acme.com")).isEmpty();
            assertThat(auditOf(ACME)).extracting(AuditEvent::action).containsOnlyOnce("delete");
        }

        @Test
        @DisplayName("a malformed host is refused with its value, and never resolves")
        void domain_malformed_isRefused() {
            register("acme", "Acme");
            assertThatThrownBy(() -> catalog.addDomain(ACME, "acme.com'; drop table x;--", ADMIN))
                    .isInstanceOf(dev.tenancy.catalog.InvalidDomainException.class)
                    .hasMessageContaining("drop table")
                    .hasMessageContaining("is not a host name");
            assertThat(catalog.findByDomain("' or 1=1 --")).isEmpty();
        }

        @Test
        @DisplayName("a domain for an unknown tenant is refused")
        void domain_unknownTenant_isRefused() {
            assertThatThrownBy(() -> catalog.addDomain(ACME, "app.acme.com", ADMIN))
                    .isInstanceOf(UnknownTenantException.class);
        }
    }

    @Nested
    @DisplayName("listing")
    class Listing {
        @BeforeEach
        void registerSome() {
            catalog.register(
                    TenantRegistration.builder(TenantId.of("alpha"), "Alpha Logistics")
                            .tier("pro")
                            .ownerEmail("ann@alpha.io")
                            .build(),
                    ADMIN);
            clock.advance(Duration.ofDays(1));
            catalog.register(
                    TenantRegistration.builder(TenantId.of("beta"), "beta Foods")
                            .tier("free")
                            .ownerEmail("bob@example.com")
                            .active()
                            .build(),
                    ADMIN);
            clock.advance(Duration.ofDays(1));
            catalog.register(
                    TenantRegistration.builder(TenantId.of("gamma"), "Gamma 100% Corp")
                            .tier("enterprise")
                            .ownerEmail("gus@gamma.dev")
                            .active()
                            .build(),
                    ADMIN);
        }

        private List<String> ids(TenantQuery q) {
            return catalog.list(q).items().stream().map(t -> t.id().value()).toList();
        }

        @Test
        @DisplayName("search matches id, name or owner email, case-insensitively")
        void list_search() {
            assertThat(ids(TenantQuery.builder().search("ALP").build())).containsExactly("alpha");
            assertThat(ids(TenantQuery.builder().search("foods").build())).containsExactly("beta");
            assertThat(ids(TenantQuery.builder().search("GAMMA.DEV").build())).containsExactly("gamma");
            assertThat(ids(TenantQuery.builder().search("a").build())).containsExactly("alpha", "beta", "gamma");
        }

        @Test
        @DisplayName("search wildcards are literal: % and _ match only themselves")
        void list_searchWildcardsAreLiteral() {
            assertThat(ids(TenantQuery.builder().search("100%").build())).containsExactly("gamma");
            assertThat(ids(TenantQuery.builder().search("%").build())).containsExactly("gamma");
            assertThat(ids(TenantQuery.builder().search("_").build())).isEmpty();
        }

        @Test
        @DisplayName("filters by status, tier and creation range combine")
        void list_filters() {
            assertThat(ids(TenantQuery.builder().status(TenantStatus.ACTIVE).build()))
                    .containsExactly("beta", "gamma");
            assertThat(ids(TenantQuery.builder().tier("pro", "enterprise").build()))
                    .containsExactly("alpha", "gamma");
            Instant start = Instant.parse("2026-01-01T00:00:00Z");
            assertThat(ids(TenantQuery.builder()
                            .createdBetween(start.plus(Duration.ofHours(12)), start.plus(Duration.ofDays(3)))
                            .status(TenantStatus.ACTIVE)
                            .tier("free")
                            .build()))
                    .containsExactly("beta");
        }

        @Test
        @DisplayName("sorts by name case-insensitively or by creation, either way")
        void list_sorts() {
            assertThat(ids(TenantQuery.builder()
                            .sort(TenantQuery.Sort.NAME, false)
                            .build()))
                    .containsExactly("alpha", "beta", "gamma");
            assertThat(ids(TenantQuery.builder()
                            .sort(TenantQuery.Sort.NAME, true)
                            .build()))
                    .containsExactly("gamma", "beta", "alpha");
            assertThat(ids(TenantQuery.builder()
                            .sort(TenantQuery.Sort.CREATED, true)
                            .build()))
                    .containsExactly("gamma", "beta", "alpha");
        }

        @Test
        @DisplayName("counts tenants per server for one isolation model, leaving out purged ones")
        void countByServer_countsOneModel() {
            catalog.register(
                    TenantRegistration.builder(TenantId.of("delta"), "Delta")
                            .isolation(IsolationModel.SCHEMA)
                            .server("eu-2")
                            .build(),
                    ADMIN);
            catalog.register(
                    TenantRegistration.builder(TenantId.of("epsilon"), "Epsilon")
                            .isolation(IsolationModel.SCHEMA)
                            .server("eu-2")
                            .build(),
                    ADMIN);
            catalog.register(
                    TenantRegistration.builder(TenantId.of("zeta"), "Zeta")
                            .isolation(IsolationModel.SCHEMA)
                            .server("eu-1")
                            .active()
                            .build(),
                    ADMIN);

            assertThat(catalog.countByServer(IsolationModel.SCHEMA))
                    .containsOnly(Map.entry("eu-1", 1L), Map.entry("eu-2", 2L));
            assertThat(catalog.countByServer(IsolationModel.SHARED))
                    .containsOnly(Map.entry(TenantRegistration.DEFAULT_SERVER, 3L));
            assertThat(catalog.countByServer(IsolationModel.DATABASE)).isEmpty();
        }

        @Test
        @DisplayName("pages carry the total count")
        void list_paginates() {
            var page = catalog.list(TenantQuery.builder().limit(2).offset(2).build());
            assertThat(page.total()).isEqualTo(3);
            assertThat(page.items()).extracting(t -> t.id().value()).containsExactly("gamma");
            assertThat(page.hasNext()).isFalse();
            assertThat(catalog.list(TenantQuery.builder().limit(2).build()).hasNext())
                    .isTrue();
        }
    }
}
