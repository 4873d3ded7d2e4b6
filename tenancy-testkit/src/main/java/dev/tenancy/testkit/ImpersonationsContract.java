package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.TenantNotActiveException;
import dev.tenancy.TenantStatus;
import dev.tenancy.UnknownTenantException;
import dev.tenancy.access.AccessDeniedException;
import dev.tenancy.access.AccessPolicy;
import dev.tenancy.access.ConsentSource;
import dev.tenancy.access.Impersonation;
import dev.tenancy.access.ImpersonationInProgressException;
import dev.tenancy.access.ImpersonationMode;
import dev.tenancy.access.ImpersonationNotActiveException;
import dev.tenancy.access.ImpersonationRequest;
import dev.tenancy.access.Impersonations;
import dev.tenancy.access.Permission;
import dev.tenancy.audit.AuditEvent;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.AuditQuery;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.context.TenantScope;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link Impersonations}: extend it and build the implementation under test in
 * {@link #newImpersonations}; every test gets a fresh catalog (tenants acme, active, and oldco,
 * archived) and audit log.
 */
public abstract class ImpersonationsContract {

    /** {@link Impersonations} over {@code catalog}, {@code audit} and {@code policy}, timed by {@code clock}. */
    protected abstract Impersonations newImpersonations(
            TenantCatalog catalog, AuditLog audit, AccessPolicy policy, MutableClock clock);

    /** The audit log the implementation under test records to (in the same database, for JDBC). */
    protected AuditLog newAuditLog(MutableClock clock) {
        return AuditLog.inMemory(clock);
    }

    protected static final Actor ADMIN = Actor.user("ops-1", AccessPolicy.SYSTEM_ADMIN);
    protected static final Actor COLLEAGUE = Actor.user("ops-2", AccessPolicy.SYSTEM_ADMIN);
    protected static final Actor SENIOR = Actor.user("ops-7", AccessPolicy.SYSTEM_ADMIN);
    protected static final Actor SUPPORT = Actor.user("cs-1", "customer_support");
    protected static final TenantId ACME = TenantId.of("acme");
    protected static final TenantId OLDCO = TenantId.of("oldco");

    protected MutableClock clock;
    protected AuditLog audit;
    protected TenantCatalog catalog;
    protected Impersonations impersonations;

    @BeforeEach
    void setUpImpersonations() {
        clock = MutableClock.atStartOf2026();
        audit = newAuditLog(clock);
        catalog = TenantCatalog.inMemory(AuditLog.inMemory(clock), clock);
        Actor setup = Actor.system("setup");
        catalog.register(TenantRegistration.builder(ACME, "Acme").active().build(), setup);
        catalog.register(TenantRegistration.builder(OLDCO, "Old Co").active().build(), setup);
        catalog.transition(OLDCO, TenantStatus.ARCHIVED, setup, "churned");
        AccessPolicy policy = AccessPolicy.builder()
                .grant(AccessPolicy.SYSTEM_ADMIN, AccessPolicy.SYSTEM_ADMIN_DEFAULTS)
                .grantTo(SENIOR.id(), Permission.IMPERSONATION_WRITE_ENABLE)
                .build();
        impersonations = newImpersonations(catalog, audit, policy, clock);
    }

    protected static ImpersonationRequest.Builder request(Actor admin, TenantId tenant) {
        return ImpersonationRequest.builder(admin, tenant, "jane@acme.com", "company_admin")
                .reason("Debugging Jane's reported invoice issue, ticket #4521")
                .consent(ConsentSource.TICKET, "#4521");
    }

    private List<AuditEvent> events(String action) {
        return audit.query(AuditQuery.builder().action(action).build()).items();
    }

    @Nested
    @DisplayName("starting a session")
    class Starting {
        @Test
        @DisplayName("records who, whom, why, on whose permission, the mode and the expiry, in the tenant's audit")
        void start_recordsEverythingTheManualAsksFor() {
            Impersonation s = impersonations.start(request(ADMIN, ACME).build());

            assertThat(s.impersonator()).isEqualTo(ADMIN);
            assertThat(s.tenant()).isEqualTo(ACME);
            assertThat(s.mode()).isEqualTo(ImpersonationMode.READ_ONLY);
            assertThat(s.startedAt()).isEqualTo(clock.instant());
            assertThat(s.expiresAt()).isEqualTo(clock.instant().plus(ImpersonationRequest.DEFAULT_DURATION));
            assertThat(s.activeAt(clock.instant())).isTrue();
            assertThat(impersonations.find(s.id())).contains(s);
            assertThat(impersonations.active()).containsExactly(s);

            AuditEvent started = events("impersonation.started").get(0);
            assertThat(started.tenantId()).isEqualTo(ACME);
            assertThat(started.entityId()).isEqualTo(s.id());
            assertThat(started.actorId()).isEqualTo("ops-1");
            assertThat(started.actorRole()).isEqualTo("system_admin");
            assertThat(started.metadata())
                    .containsEntry("user", "jane@acme.com")
                    .containsEntry("userRole", "company_admin")
                    .containsEntry("mode", "read_only")
                    .containsEntry("reason", "Debugging Jane's reported invoice issue, ticket #4521")
                    .containsEntry("consentSource", "ticket")
                    .containsEntry("consentReference", "#4521")
                    .containsEntry("expiresAt", s.expiresAt().toString());
            assertThat(audit.query(AuditQuery.builder().tenant(ACME).build()).items())
                    .extracting(AuditEvent::action)
                    .contains("impersonation.started");
        }

        @Test
        @DisplayName("an actor without platform.impersonation.start is refused, and the attempt is audited")
        void start_withoutPermission_isRefusedAndAudited() {
            assertThatThrownBy(() -> impersonations.start(request(SUPPORT, ACME).build()))
                    .isInstanceOfSatisfying(AccessDeniedException.class, e -> {
                        assertThat(e.permission()).isEqualTo(Permission.IMPERSONATION_START);
                        assertThat(e.actor()).isEqualTo(SUPPORT);
                    })
                    .hasMessageContaining("cs-1")
                    .hasMessageContaining("platform.impersonation.start");

            assertThat(impersonations.active()).isEmpty();
            assertThat(events("impersonation.started")).isEmpty();
            AuditEvent denied = events("impersonation.denied").get(0);
            assertThat(denied.tenantId()).isEqualTo(ACME);
            assertThat(denied.actorId()).isEqualTo("cs-1");
            assertThat(denied.metadata()).containsEntry("missingPermission", "platform.impersonation.start");
        }

        @Test
        @DisplayName("write mode needs platform.impersonation.write_enable too, which system admins lack by default")
        void writeMode_needsWriteEnable() {
            assertThatThrownBy(() ->
                            impersonations.start(request(ADMIN, ACME).write().build()))
                    .isInstanceOfSatisfying(
                            AccessDeniedException.class,
                            e -> assertThat(e.permission()).isEqualTo(Permission.IMPERSONATION_WRITE_ENABLE));
            assertThat(events("impersonation.denied")).hasSize(1);

            Impersonation s = impersonations.start(request(SENIOR, ACME).write().build());
            assertThat(s.mode()).isEqualTo(ImpersonationMode.WRITE);
            assertThat(s.readOnly()).isFalse();
        }

        @Test
        @DisplayName("an unknown tenant, a suspended one, and write mode in an archived one are refused; "
                + "an archived one may be read")
        void start_needsATenantThatMayBeServed() {
            assertThatThrownBy(() -> impersonations.start(
                            request(ADMIN, TenantId.of("nobody")).build()))
                    .isInstanceOf(UnknownTenantException.class);
            catalog.transition(ACME, TenantStatus.SUSPENDED, Actor.system("billing"), "unpaid");
            assertThatThrownBy(() -> impersonations.start(request(ADMIN, ACME).build()))
                    .isInstanceOf(TenantNotActiveException.class)
                    .hasMessageContaining("suspended");
            assertThatThrownBy(() ->
                            impersonations.start(request(SENIOR, OLDCO).write().build()))
                    .isInstanceOf(TenantNotActiveException.class)
                    .hasMessageContaining("archived");
            assertThat(impersonations.active()).isEmpty();
            assertThat(events("impersonation.started")).isEmpty();

            assertThat(impersonations.start(request(ADMIN, OLDCO).build()).tenant())
                    .isEqualTo(OLDCO);
        }

        @Test
        @DisplayName("a request without a reason or the tenant's consent is refused when built, naming the field")
        void request_withoutReasonOrConsent_isRefused() {
            assertThatThrownBy(() -> request(ADMIN, ACME).reason("  ").build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("reason");
            assertThatThrownBy(() -> request(ADMIN, ACME).consent(null, "x").build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("consent(source, reference)");
            assertThatThrownBy(() -> request(ADMIN, ACME)
                            .consent(ConsentSource.EMAIL, "")
                            .build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("consent reference");
            assertThatThrownBy(() -> ImpersonationRequest.builder(ADMIN, ACME, "", "company_admin")
                            .reason("r")
                            .consent(ConsentSource.OTHER, "call")
                            .build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("user");
            assertThatThrownBy(
                            () -> request(ADMIN, ACME).duration(Duration.ZERO).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("PT0S");
        }

        @Test
        @DisplayName("a session longer than the maximum is refused, naming both")
        void start_longerThanTheMaximum_isRefused() {
            assertThatThrownBy(() -> impersonations.start(
                            request(ADMIN, ACME).duration(Duration.ofHours(9)).build()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("PT9H")
                    .hasMessageContaining("PT8H");
            assertThat(events("impersonation.started")).isEmpty();
        }

        @Test
        @DisplayName("an admin has one open session at a time; after it ends or expires, another may start")
        void oneOpenSessionPerAdmin() {
            Impersonation first = impersonations.start(request(ADMIN, ACME).build());
            assertThatThrownBy(() -> impersonations.start(request(ADMIN, OLDCO).build()))
                    .isInstanceOfSatisfying(
                            ImpersonationInProgressException.class,
                            e -> assertThat(e.open().id()).isEqualTo(first.id()))
                    .hasMessageContaining(first.id())
                    .hasMessageContaining("end that session first");
            assertThat(impersonations.start(request(COLLEAGUE, ACME).build())).isNotNull();

            impersonations.end(first.id(), ADMIN);
            Impersonation second = impersonations.start(request(ADMIN, OLDCO).build());

            clock.advance(Duration.ofHours(2));
            Impersonation third = impersonations.start(request(ADMIN, ACME).build());
            Impersonation expired = impersonations.find(second.id()).orElseThrow();
            assertThat(expired.endedAt()).isEqualTo(second.expiresAt());
            assertThat(expired.endedBy()).isEqualTo(Impersonations.EXPIRY.id());
            assertThat(impersonations.active()).containsExactly(third);
        }

        @Test
        @DisplayName("two starts by one admin at the same moment: exactly one session opens")
        void concurrentStarts_openOneSession() throws Exception {
            int threads = 4;
            CyclicBarrier barrier = new CyclicBarrier(threads);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<Impersonation>> results = new java.util.ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    results.add(pool.submit(() -> {
                        barrier.await();
                        return impersonations.start(request(ADMIN, ACME).build());
                    }));
                }
                int opened = 0;
                int refused = 0;
                for (Future<Impersonation> r : results) {
                    try {
                        r.get();
                        opened++;
                    } catch (java.util.concurrent.ExecutionException e) {
                        assertThat(e.getCause()).isInstanceOf(ImpersonationInProgressException.class);
                        refused++;
                    }
                }
                assertThat(opened).isEqualTo(1);
                assertThat(refused).isEqualTo(threads - 1);
            } finally {
                pool.shutdown();
            }
            assertThat(impersonations.active()).hasSize(1);
            assertThat(events("impersonation.started")).hasSize(1);
        }
    }

    @Nested
    @DisplayName("using a session")
    class Using {
        @Test
        @DisplayName("its scope binds the tenant, read-only in read mode and writable in write mode")
        void scope_bindsTheTenant_readOnlyUnlessWriteMode() {
            Impersonation read = impersonations.start(request(ADMIN, ACME).build());
            TenantScope scope = impersonations.scope(read.id(), ADMIN);
            scope.run(() -> {
                assertThat(TenantContext.require()).isEqualTo(ACME);
                assertThat(TenantContext.isReadOnly()).isTrue();
            });

            Impersonation write =
                    impersonations.start(request(SENIOR, ACME).write().build());
            impersonations
                    .scope(write.id(), SENIOR)
                    .run(() -> assertThat(TenantContext.isReadOnly()).isFalse());
        }

        @Test
        @DisplayName("only its admin may use it, and only until it ends or expires")
        void scope_onlyForItsAdmin_untilItEndsOrExpires() {
            Impersonation s = impersonations.start(request(ADMIN, ACME).build());
            assertThatThrownBy(() -> impersonations.scope(s.id(), COLLEAGUE))
                    .isInstanceOf(ImpersonationNotActiveException.class)
                    .hasMessageContaining("started by 'ops-1', not 'ops-2'");
            assertThatThrownBy(() -> impersonations.scope("no-such-id", ADMIN))
                    .isInstanceOfSatisfying(
                            ImpersonationNotActiveException.class,
                            e -> assertThat(e.impersonation()).isEqualTo("no-such-id"));

            clock.advance(ImpersonationRequest.DEFAULT_DURATION);
            assertThatThrownBy(() -> impersonations.scope(s.id(), ADMIN))
                    .isInstanceOf(ImpersonationNotActiveException.class)
                    .hasMessageContaining("expired at " + s.expiresAt());
            assertThat(impersonations.active()).isEmpty();
        }

        @Test
        @DisplayName("what the admin does is recorded with its payload, in the tenant's audit")
        void record_auditsTheActionWithItsPayload() {
            Impersonation s = impersonations.start(request(ADMIN, ACME).build());
            impersonations.record(s.id(), ADMIN, "invoice.viewed", Map.of("invoice", "inv-42", "lines", 3));

            AuditEvent action = events("impersonation.action").get(0);
            assertThat(action.tenantId()).isEqualTo(ACME);
            assertThat(action.actorId()).isEqualTo("ops-1");
            assertThat(action.entityId()).isEqualTo(s.id());
            assertThat(action.metadata())
                    .containsEntry("action", "invoice.viewed")
                    .containsEntry("user", "jane@acme.com")
                    .containsEntry("payload", Map.of("invoice", "inv-42", "lines", 3));

            impersonations.end(s.id(), ADMIN);
            assertThatThrownBy(() -> impersonations.record(s.id(), ADMIN, "invoice.viewed", Map.of()))
                    .isInstanceOf(ImpersonationNotActiveException.class)
                    .hasMessageContaining("ended at");
            assertThat(events("impersonation.action")).hasSize(1);
        }
    }

    @Nested
    @DisplayName("ending a session")
    class Ending {
        @Test
        @DisplayName("records its end and duration once; ending it again changes nothing")
        void end_recordsOnce() {
            Impersonation s = impersonations.start(request(ADMIN, ACME).build());
            clock.advance(Duration.ofMinutes(12));
            Impersonation ended = impersonations.end(s.id(), ADMIN);
            assertThat(ended.endedAt()).isEqualTo(clock.instant());
            assertThat(ended.endedBy()).isEqualTo("ops-1");
            assertThat(impersonations.end(s.id(), ADMIN)).isEqualTo(ended);
            assertThat(impersonations.find(s.id())).contains(ended);

            List<AuditEvent> endings = events("impersonation.ended");
            assertThat(endings).hasSize(1);
            assertThat(endings.get(0).metadata())
                    .containsEntry("durationSeconds", 720)
                    .containsEntry("expired", false);
            assertThat(impersonations.ofTenant(ACME, 10)).containsExactly(ended);
        }

        @Test
        @DisplayName("a colleague who may start sessions may end one; anyone else is refused")
        void end_byAColleague() {
            Impersonation s = impersonations.start(request(ADMIN, ACME).build());
            assertThatThrownBy(() -> impersonations.end(s.id(), SUPPORT)).isInstanceOf(AccessDeniedException.class);
            assertThat(impersonations.active()).hasSize(1);
            assertThat(impersonations.end(s.id(), COLLEAGUE).endedBy()).isEqualTo("ops-2");
        }

        @Test
        @DisplayName("expired sessions are closed at their expiry by closeExpired, each audited")
        void closeExpired_closesAtExpiry() {
            Impersonation a = impersonations.start(request(ADMIN, ACME).build());
            Impersonation b = impersonations.start(
                    request(COLLEAGUE, OLDCO).duration(Duration.ofHours(3)).build());
            clock.advance(Duration.ofHours(2));

            assertThat(impersonations.closeExpired()).isEqualTo(1);
            assertThat(impersonations.closeExpired()).isZero();
            assertThat(impersonations.find(a.id()).orElseThrow().endedAt()).isEqualTo(a.expiresAt());
            assertThat(impersonations.find(b.id()).orElseThrow().endedAt()).isNull();
            AuditEvent ended = events("impersonation.ended").get(0);
            assertThat(ended.actorId()).isEqualTo(Impersonations.EXPIRY.id());
            assertThat(ended.metadata()).containsEntry("expired", true).containsEntry("durationSeconds", 3600);
        }

        @Test
        @DisplayName("an unknown session cannot be ended")
        void end_unknown() {
            assertThatThrownBy(() -> impersonations.end("no-such-id", ADMIN))
                    .isInstanceOf(ImpersonationNotActiveException.class)
                    .hasMessageContaining("no such session");
        }
    }

    @Test
    @DisplayName("the tenant's sessions are listed newest first")
    void ofTenant_newestFirst() {
        Impersonation first = impersonations.end(
                impersonations.start(request(ADMIN, ACME).build()).id(), ADMIN);
        clock.advance(Duration.ofMinutes(1));
        Impersonation second = impersonations.start(request(COLLEAGUE, ACME).build());
        impersonations.start(request(ADMIN, OLDCO).build());

        assertThat(impersonations.ofTenant(ACME, 10)).containsExactly(second, first);
        assertThat(impersonations.ofTenant(ACME, 1)).containsExactly(second);
        assertThatThrownBy(() -> impersonations.ofTenant(ACME, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
