package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import dev.tenancy.ReadOnlyScopeException;
import dev.tenancy.TenantId;
import dev.tenancy.TenantNotActiveException;
import dev.tenancy.TenantStatus;
import dev.tenancy.UnknownTenantException;
import dev.tenancy.access.Invitation;
import dev.tenancy.access.InvitationLimitException;
import dev.tenancy.access.InvitationNotValidException;
import dev.tenancy.access.Invitations;
import dev.tenancy.access.IssuedInvitation;
import dev.tenancy.audit.AuditEvent;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.AuditQuery;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link Invitations}: extend it and build the implementation under test in {@link
 * #newInvitations}; every test gets a fresh catalog (acme, active; hooli, suspended), audit log and
 * clock, and invitations valid for 7 days.
 */
public abstract class InvitationsContract {

    /** {@link Invitations} over {@code catalog} and {@code audit}, timed by {@code clock}, valid for 7 days. */
    protected abstract Invitations newInvitations(TenantCatalog catalog, AuditLog audit, MutableClock clock);

    /** The audit log the implementation under test records to (in the same database, for JDBC). */
    protected AuditLog newAuditLog(MutableClock clock) {
        return AuditLog.inMemory(clock);
    }

    protected static final Actor OWNER = Actor.user("u-owner", "company_admin");
    protected static final Actor STAFF = Actor.user("ops-1", "customer_success");
    protected static final TenantId ACME = TenantId.of("acme");
    protected static final TenantId HOOLI = TenantId.of("hooli");

    protected MutableClock clock;
    protected AuditLog audit;
    protected TenantCatalog catalog;
    protected Invitations invitations;

    @BeforeEach
    void setUpInvitations() {
        clock = MutableClock.atStartOf2026();
        audit = newAuditLog(clock);
        catalog = TenantCatalog.inMemory(AuditLog.inMemory(clock), clock);
        Actor setup = Actor.system("setup");
        catalog.register(TenantRegistration.builder(ACME, "Acme").active().build(), setup);
        catalog.register(TenantRegistration.builder(HOOLI, "Hooli").active().build(), setup);
        catalog.transition(HOOLI, TenantStatus.SUSPENDED, setup, "unpaid");
        invitations = newInvitations(catalog, audit, clock);
    }

    private List<String> actions() {
        return audit
                .query(AuditQuery.builder()
                        .entityType(Invitations.ENTITY_TYPE)
                        .limit(100)
                        .build())
                .items()
                .stream()
                .map(AuditEvent::action)
                .toList()
                .reversed();
    }

    @Test
    void aReadOnlyScope_refusesEveryWrite_withOneExceptionType_andChangesNothing() {
        IssuedInvitation sent = invitations.invite(ACME, "jane@acme.com", "accountant", OWNER);
        TenantContext.where(ACME).readOnly().run(() -> {
            assertThatThrownBy(() -> invitations.invite(ACME, "joe@acme.com", "accountant", OWNER))
                    .isInstanceOf(ReadOnlyScopeException.class)
                    .hasMessageContaining("invite a team member");
            assertThatThrownBy(() -> invitations.resend(sent.invitation().id(), OWNER))
                    .isInstanceOf(ReadOnlyScopeException.class);
            assertThatThrownBy(() -> invitations.cancel(sent.invitation().id(), OWNER))
                    .isInstanceOf(ReadOnlyScopeException.class);
            assertThatThrownBy(() -> invitations.forget(ACME, OWNER)).isInstanceOf(ReadOnlyScopeException.class);
        });
        assertThat(invitations.accept(sent.token(), "user-1").status()).isEqualTo(Invitation.Status.ACCEPTED);
    }

    @Test
    void anInvitation_isAcceptedWithItsToken_byTheUserTheHostCreated() {
        IssuedInvitation sent = invitations.invite(ACME, " Jane@Acme.com ", "accountant", OWNER);

        Invitation pending = sent.invitation();
        assertThat(pending.email()).isEqualTo("jane@acme.com");
        assertThat(pending.status()).isEqualTo(Invitation.Status.PENDING);
        assertThat(pending.expiresAt()).isEqualTo(pending.createdAt().plus(Duration.ofDays(7)));
        assertThat(sent.token()).matches("[A-Za-z0-9_-]{43}");
        assertThat(sent.toString()).doesNotContain(sent.token());

        clock.advance(Duration.ofHours(2));
        Invitation accepted = invitations.accept(sent.token(), "user-4711");

        assertThat(accepted.tenant()).isEqualTo(ACME);
        assertThat(accepted.role()).isEqualTo("accountant");
        assertThat(accepted.status()).isEqualTo(Invitation.Status.ACCEPTED);
        assertThat(accepted.decidedBy()).isEqualTo("user-4711");
        assertThat(invitations.find(pending.id())).contains(accepted);
        assertThat(invitations.ofTenant(ACME)).containsExactly(accepted);
        assertThat(actions()).containsExactly("invitation.created", "invitation.accepted");
        assertThat(audit.query(AuditQuery.builder().tenant(ACME).build()).items())
                .allSatisfy(e -> assertThat(e.metadata().toString()).doesNotContain(sent.token()));
    }

    @Test
    void aToken_acceptsOnce_evenWhenTwoRequestsRace() throws Exception {
        IssuedInvitation sent = invitations.invite(ACME, "jane@acme.com", "accountant", OWNER);
        int racers = 6;
        CyclicBarrier start = new CyclicBarrier(racers);
        List<Future<Boolean>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(racers)) {
            for (int i = 0; i < racers; i++) {
                String user = "user-" + i;
                results.add(pool.submit(() -> {
                    start.await();
                    try {
                        invitations.accept(sent.token(), user);
                        return true;
                    } catch (InvitationNotValidException e) {
                        assertThat(e.status()).isEqualTo(Invitation.Status.ACCEPTED);
                        return false;
                    }
                }));
            }
        }
        long winners = 0;
        for (Future<Boolean> r : results) {
            winners += r.get() ? 1 : 0;
        }
        assertThat(winners).isEqualTo(1);
        assertThatThrownBy(() -> invitations.accept(sent.token(), "late"))
                .isInstanceOf(InvitationNotValidException.class)
                .hasMessageContaining("already accepted");
        assertThat(actions()).containsExactly("invitation.created", "invitation.accepted");
    }

    @Test
    void twoInvitationsOfOneAddressAtOnce_oneIsSent_theOtherIsRefusedAsPending() throws Exception {
        int racers = 6;
        CyclicBarrier start = new CyclicBarrier(racers);
        List<Future<String>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(racers)) {
            for (int i = 0; i < racers; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    try {
                        invitations.invite(ACME, "jane@acme.com", "accountant", OWNER);
                        return "sent";
                    } catch (IllegalStateException e) {
                        assertThat(e).hasMessageContaining("has a pending invitation");
                        return "refused";
                    }
                }));
            }
        }
        List<String> outcomes = new ArrayList<>();
        for (Future<String> r : results) {
            outcomes.add(r.get());
        }
        assertThat(outcomes).containsOnlyOnce("sent");
        assertThat(invitations.ofTenant(ACME)).hasSize(1);
        assertThat(actions()).containsExactly("invitation.created");
    }

    @Test
    void anExpiredInvitation_isRefused_andTheAddressMayBeInvitedAgain() {
        IssuedInvitation sent = invitations.invite(ACME, "jane@acme.com", "accountant", OWNER);
        clock.advance(Duration.ofDays(7));

        assertThatThrownBy(() -> invitations.accept(sent.token(), "user-1"))
                .isInstanceOfSatisfying(
                        InvitationNotValidException.class,
                        e -> assertThat(e.status()).isEqualTo(Invitation.Status.EXPIRED))
                .hasMessageContaining("expired at 2026-01-08T00:00:00Z")
                .hasMessageContaining("sent again");
        assertThat(invitations.find(sent.invitation().id()).orElseThrow().status())
                .isEqualTo(Invitation.Status.EXPIRED);

        IssuedInvitation again = invitations.invite(ACME, "jane@acme.com", "accountant", OWNER);
        assertThat(invitations.accept(again.token(), "user-1").status()).isEqualTo(Invitation.Status.ACCEPTED);
        assertThat(invitations.ofTenant(ACME))
                .extracting(Invitation::status)
                .containsExactly(Invitation.Status.ACCEPTED, Invitation.Status.EXPIRED);
    }

    @Test
    void onePendingInvitationPerAddress_resendReplacesItsToken_andRestartsItsValidity() {
        IssuedInvitation first = invitations.invite(ACME, "jane@acme.com", "accountant", OWNER);
        assertThatThrownBy(() -> invitations.invite(ACME, "JANE@acme.com", "admin", STAFF))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("jane@acme.com has a pending invitation to 'acme'")
                .hasMessageContaining(first.invitation().id())
                .hasMessageContaining("resend or cancel it");
        assertThat(invitations.invite(ACME, "joe@acme.com", "viewer", OWNER)).isNotNull();

        clock.advance(Duration.ofDays(6));
        IssuedInvitation resent = invitations.resend(first.invitation().id(), STAFF);

        assertThat(resent.invitation().id()).isEqualTo(first.invitation().id());
        assertThat(resent.invitation().invitedBy()).isEqualTo(STAFF);
        assertThat(resent.invitation().expiresAt()).isEqualTo(clock.instant().plus(Duration.ofDays(7)));
        assertThat(resent.token()).isNotEqualTo(first.token());
        assertThatThrownBy(() -> invitations.accept(first.token(), "user-1"))
                .isInstanceOfSatisfying(
                        InvitationNotValidException.class,
                        e -> assertThat(e.status()).isNull())
                .hasMessageContaining("not valid");
        clock.advance(Duration.ofDays(3)); // past the first validity, within the new one
        assertThat(invitations.accept(resent.token(), "user-1").status()).isEqualTo(Invitation.Status.ACCEPTED);
    }

    @Test
    void aCancelledInvitation_isRefused_andCannotBeResent() {
        IssuedInvitation sent = invitations.invite(ACME, "jane@acme.com", "accountant", OWNER);

        Invitation cancelled = invitations.cancel(sent.invitation().id(), STAFF);

        assertThat(cancelled.status()).isEqualTo(Invitation.Status.CANCELLED);
        assertThat(cancelled.decidedBy()).isEqualTo(STAFF.id());
        assertThat(invitations.cancel(sent.invitation().id(), STAFF)).isEqualTo(cancelled); // idempotent
        assertThatThrownBy(() -> invitations.accept(sent.token(), "user-1"))
                .isInstanceOf(InvitationNotValidException.class)
                .hasMessageContaining("was cancelled");
        assertThatThrownBy(() -> invitations.resend(sent.invitation().id(), STAFF))
                .isInstanceOf(InvitationNotValidException.class)
                .hasMessageContaining("invite jane@acme.com again instead");
        assertThat(invitations.invite(ACME, "jane@acme.com", "accountant", OWNER))
                .isNotNull();
        assertThat(actions()).containsExactly("invitation.created", "invitation.cancelled", "invitation.created");
    }

    @Test
    void anAcceptedInvitation_cannotBeCancelled() {
        IssuedInvitation sent = invitations.invite(ACME, "jane@acme.com", "accountant", OWNER);
        invitations.accept(sent.token(), "user-1");

        assertThatThrownBy(() -> invitations.cancel(sent.invitation().id(), STAFF))
                .isInstanceOf(InvitationNotValidException.class)
                .hasMessageContaining("remove the member in the application instead");
    }

    @Test
    void aTenantSuspendedAfterTheInvitation_refusesItsAcceptance_whichStaysPending() {
        IssuedInvitation sent = invitations.invite(ACME, "jane@acme.com", "accountant", OWNER);
        catalog.transition(ACME, TenantStatus.SUSPENDED, STAFF, "unpaid");

        assertThatThrownBy(() -> invitations.accept(sent.token(), "user-1"))
                .isInstanceOf(TenantNotActiveException.class);
        assertThat(invitations.find(sent.invitation().id()).orElseThrow().status())
                .isEqualTo(Invitation.Status.PENDING);

        catalog.transition(ACME, TenantStatus.ACTIVE, STAFF, "paid");
        assertThat(invitations.accept(sent.token(), "user-1").status()).isEqualTo(Invitation.Status.ACCEPTED);
    }

    @Test
    void aTenantSendsAtMost100InvitationsADay_resendsIncluded_andIsToldWhenTheNextIsAccepted() {
        java.time.Instant firstSent = clock.instant();
        for (int i = 0; i < 60; i++) {
            invitations.invite(ACME, "user" + i + "@acme.com", "viewer", OWNER);
        }
        clock.advance(Duration.ofHours(1));
        IssuedInvitation resent =
                invitations.resend(invitations.ofTenant(ACME).getLast().id(), OWNER); // counted once, as of now
        for (int i = 60; i < 100; i++) {
            invitations.invite(ACME, "user" + i + "@acme.com", "viewer", OWNER);
        }
        assertThat(invitations.invite(activeHooli(), "x@hooli.com", "viewer", OWNER))
                .as("another tenant's invitations do not count")
                .isNotNull();

        assertThatThrownBy(() -> invitations.invite(ACME, "one-too-many@acme.com", "viewer", OWNER))
                .isInstanceOfSatisfying(
                        InvitationLimitException.class,
                        e -> assertThat(e.retryAfter()).isEqualTo(firstSent.plus(Duration.ofDays(1))))
                .hasMessageContaining("'acme' has sent 100 invitations within PT24H")
                .hasMessageContaining("Invitations.Builder.limit");
        assertThatThrownBy(() -> invitations.resend(resent.invitation().id(), OWNER))
                .isInstanceOf(InvitationLimitException.class);
        assertThat(invitations.ofTenant(ACME))
                .hasSize(100)
                .noneMatch(i -> i.email().startsWith("one-too-many"));

        clock.advance(Duration.ofHours(23)); // the first 59 sends leave the window; the resent one stays
        assertThat(invitations.invite(ACME, "next-day@acme.com", "viewer", OWNER))
                .isNotNull();
    }

    /** Hooli, made active for the limit test. */
    private TenantId activeHooli() {
        catalog.transition(HOOLI, TenantStatus.ACTIVE, Actor.system("setup"), "paid");
        return HOOLI;
    }

    @Test
    void anInvitationIsResentAtMostOnceAMinute() {
        IssuedInvitation sent = invitations.invite(ACME, "jane@acme.com", "accountant", OWNER);
        clock.advance(Duration.ofSeconds(30));

        assertThatThrownBy(() -> invitations.resend(sent.invitation().id(), OWNER))
                .isInstanceOfSatisfying(
                        InvitationLimitException.class,
                        e -> assertThat(e.retryAfter())
                                .isEqualTo(sent.invitation().createdAt().plus(Duration.ofMinutes(1))))
                .hasMessageContaining("jane@acme.com")
                .hasMessageContaining("can be resent from");
        assertThat(invitations.accept(sent.token(), "user-1").status())
                .as("the refused resend changed nothing: the first token still works")
                .isEqualTo(Invitation.Status.ACCEPTED);

        IssuedInvitation other = invitations.invite(ACME, "joe@acme.com", "accountant", OWNER);
        clock.advance(Duration.ofMinutes(1));
        assertThat(invitations
                        .resend(other.invitation().id(), OWNER)
                        .invitation()
                        .createdAt())
                .isEqualTo(clock.instant());
        assertThatThrownBy(() -> Invitations.builder().limit(0, Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit(100, Duration.ofDays(1))");
    }

    @Test
    void badInput_isRefusedNamingTheValueAndTheFix_andNothingIsRecorded() {
        assertThatThrownBy(() -> invitations.invite(ACME, "jane(at)acme.com", "accountant", OWNER))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'jane(at)acme.com'")
                .hasMessageContaining("like jane@acme.com");
        assertThatThrownBy(() -> invitations.invite(ACME, "a@b.com, c@d.com", "accountant", OWNER))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> invitations.invite(ACME, "jane@acme.com", "super user", OWNER))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'super user'");
        assertThatThrownBy(() -> invitations.invite(TenantId.of("nobody"), "jane@acme.com", "accountant", OWNER))
                .isInstanceOf(UnknownTenantException.class);
        assertThatThrownBy(() -> invitations.invite(HOOLI, "jane@hooli.com", "accountant", OWNER))
                .isInstanceOf(TenantNotActiveException.class);
        assertThatThrownBy(() -> invitations.accept("not-a-token", "user-1"))
                .isInstanceOf(InvitationNotValidException.class);
        assertThatThrownBy(() -> invitations.accept(null, "user-1")).isInstanceOf(InvitationNotValidException.class);
        assertThatThrownBy(() -> invitations.resend("no-such-id", STAFF))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("No invitation no-such-id");
        assertThatThrownBy(() -> Invitations.builder().validity(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Duration.ofDays(7)");

        assertThat(invitations.ofTenant(ACME)).isEmpty();
        assertThat(invitations.ofTenant(HOOLI)).isEmpty();
        assertThat(actions()).isEmpty();
    }
}
