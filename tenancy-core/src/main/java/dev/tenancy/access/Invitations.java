package dev.tenancy.access;

import dev.tenancy.Actor;
import dev.tenancy.ReadOnlyScopeException;
import dev.tenancy.StorageException;
import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.TenantNotActiveException;
import dev.tenancy.UnknownTenantException;
import dev.tenancy.audit.AuditEntry;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.internal.ControlPlaneSchema;
import dev.tenancy.internal.Jdbc;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Invitations to join a tenant's team (the "Team/Invitations" screens): a tenant admin or platform
 * staff invites an address with a role, the invitee accepts with the token from the link, and the
 * host application then adds the member to its own user store.
 *
 * <ul>
 *   <li>{@link #invite} records the invitation and returns its token once ({@link
 *       IssuedInvitation}); only the token's SHA-256 is stored. Tokens are 256 random bits.
 *   <li>{@link #accept} spends the token: exactly once, even when two requests race, only while the
 *       invitation is pending and unexpired and the tenant is active.
 *   <li>One pending invitation per address and tenant: {@link #resend} issues a new token for it
 *       (the old one stops working) and restarts its validity; {@link #cancel} withdraws it.
 *   <li>No invitation spam: a tenant sends at most {@linkplain Builder#limit 100 invitations a day}
 *       (each counted as of its latest send), and an invitation is resent at most {@linkplain Builder#resendAfter
 *       once a minute}; beyond that {@link InvitationLimitException} says when to try again.
 * </ul>
 *
 * <p>Who may invite is the host's decision (a tenant admin is not a platform actor); every change
 * is appended to the audit log with the tenant's id, the actor, the address and the role, never the
 * token. With a data source, invitations live in the platform database ({@code
 * tenancy.tenancy_invitations}, installed like the catalog's tables) and each change commits with its audit
 * event; without, in memory.
 *
 * <pre>{@code
 * Invitations invitations = Invitations.builder()
 *         .catalog(catalog).auditLog(audit).dataSource(platformDataSource)
 *         .build();
 * IssuedInvitation sent = invitations.invite(acme, "jane@acme.com", "accountant", tenantAdmin);
 * mailer.send(sent.invitation().email(), "https://app.example.com/join/" + sent.token());
 * Invitation joined = invitations.accept(tokenFromTheLink, "user-4711");   // then add the member
 * }</pre>
 */
public final class Invitations {
    /** The audit log's entity type of invitation events. */
    public static final String ENTITY_TYPE = "invitation";

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s.]+");
    private static final Pattern ROLE = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,63}");
    private static final int MAX_LISTED = 1_000;

    private final TenantCatalog catalog;
    private final InstantSource clock;
    private final Duration validity;
    private final int limit;
    private final Duration limitWindow;
    private final Duration resendAfter;
    private final SecureRandom random = new SecureRandom();
    private final InvitationStore store;

    private Invitations(Builder b) {
        this.catalog = b.catalog;
        this.clock = b.clock;
        this.validity = b.validity;
        this.limit = b.limit;
        this.limitWindow = b.limitWindow;
        this.resendAfter = b.resendAfter;
        if (b.dataSource == null) {
            this.store = new InMemoryInvitationStore(b.audit);
        } else {
            if (b.installSchema) {
                ControlPlaneSchema.install(b.dataSource);
            }
            this.store = new JdbcInvitationStore(b.dataSource, b.audit);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Invites {@code email} to {@code tenant} with {@code role}.
     *
     * @throws IllegalArgumentException when the address or the role is malformed
     * @throws UnknownTenantException when the tenant is not in the catalog
     * @throws TenantNotActiveException when the tenant is not active
     * @throws IllegalStateException when the address has a pending invitation to the tenant (resend or cancel it)
     * @throws InvitationLimitException when the tenant has sent its limit of invitations within the window
     */
    public IssuedInvitation invite(TenantId tenant, String email, String role, Actor invitedBy) {
        ReadOnlyScopeException.refuseIfReadOnly("invite a team member");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(invitedBy, "invitedBy");
        String address = requireEmail(email);
        requireRole(role);
        requireActive(tenant);
        Instant now = now();
        String token = newToken();
        Invitation invitation = new Invitation(
                UUID.randomUUID().toString(),
                tenant,
                address,
                role,
                invitedBy,
                now,
                now.plus(validity),
                Invitation.Status.PENDING,
                null,
                null);
        try {
            store.atomically("invite " + address + " to '" + tenant + "'", x -> {
                Optional<Invitation> pending = x.lockPending(tenant, address);
                if (pending.isPresent()) {
                    Invitation seen = pending.get().at(now);
                    if (seen.status() == Invitation.Status.PENDING) {
                        throw alreadyPending(seen);
                    }
                    x.update(seen, null); // expired: it frees the address
                }
                requireWithinLimit(x, tenant, now);
                x.insert(invitation, hash(token));
                x.audit(event("invitation.created", invitation, invitedBy));
                return invitation;
            });
        } catch (StorageException e) {
            if (Jdbc.isUniqueViolation(e)) { // another invitation of the address committed first
                throw store.ofTenant(tenant, MAX_LISTED).stream()
                        .map(i -> i.at(now))
                        .filter(i -> i.status() == Invitation.Status.PENDING
                                && i.email().equals(address))
                        .findFirst()
                        .map(Invitations::alreadyPending)
                        .orElseThrow(() -> e);
            }
            throw e;
        }
        return new IssuedInvitation(invitation, token);
    }

    /**
     * Accepts the invitation {@code token} belongs to, as the user the host application created or
     * found for it.
     *
     * @param userId the host's id of the user who joins
     * @return the accepted invitation: add {@code userId} to its tenant with its role
     * @throws InvitationNotValidException when the token matches no invitation, or one that was
     *     accepted, cancelled or has expired
     * @throws TenantNotActiveException when the tenant is no longer active (the invitation stays pending)
     */
    public Invitation accept(String token, String userId) {
        if (userId == null || userId.isBlank() || userId.length() > 200) {
            throw new IllegalArgumentException(
                    "The accepting user's id must be 1 to 200 characters, was '" + userId + "'");
        }
        String tokenHash = token == null ? null : hash(token.strip());
        Instant now = now();
        return store.atomically("accept an invitation", x -> {
            Invitation found = (tokenHash == null ? Optional.<Invitation>empty() : x.lockByToken(tokenHash))
                    .orElseThrow(() -> new InvitationNotValidException(
                            null,
                            "This invitation link is not valid: it was mistyped or replaced by a newer one."
                                    + " Ask for the invitation to be sent again."))
                    .at(now);
            switch (found.status()) {
                case ACCEPTED ->
                    throw new InvitationNotValidException(
                            found.status(), "This invitation to '" + found.tenant() + "' was already accepted.");
                case CANCELLED ->
                    throw new InvitationNotValidException(
                            found.status(), "This invitation to '" + found.tenant() + "' was cancelled.");
                case EXPIRED ->
                    throw new InvitationNotValidException(
                            found.status(),
                            "This invitation to '" + found.tenant() + "' expired at " + found.expiresAt()
                                    + ". Ask for it to be sent again.");
                case PENDING -> {}
            }
            requireActive(found.tenant());
            Invitation accepted = found.with(Invitation.Status.ACCEPTED, now, userId);
            x.update(accepted, null);
            x.audit(event("invitation.accepted", accepted, Actor.user(userId, accepted.role())));
            return accepted;
        });
    }

    /**
     * Sends a pending (or expired) invitation again: a new token, the old one no longer accepted,
     * and a new validity from now.
     *
     * @throws InvitationNotValidException when the invitation was accepted or cancelled
     * @throws IllegalArgumentException when there is no invitation {@code id}
     * @throws InvitationLimitException when it was sent less than {@link Builder#resendAfter} ago, or
     *     the tenant has sent its limit of invitations within the window
     */
    public IssuedInvitation resend(String id, Actor actor) {
        ReadOnlyScopeException.refuseIfReadOnly("resend an invitation");
        Objects.requireNonNull(actor, "actor");
        Instant now = now();
        String token = newToken();
        Invitation resent = store.atomically("resend invitation " + id, x -> {
            Invitation found = x.lock(id).orElseThrow(() -> unknown(id)).at(now);
            if (found.status() == Invitation.Status.ACCEPTED || found.status() == Invitation.Status.CANCELLED) {
                throw new InvitationNotValidException(
                        found.status(),
                        "Invitation " + id + " was " + found.status().key() + ": invite " + found.email()
                                + " again instead");
            }
            if (found.status() == Invitation.Status.EXPIRED) {
                Optional<Invitation> holder = x.lockPending(found.tenant(), found.email());
                if (holder.isPresent() && !holder.get().id().equals(id)) {
                    Invitation other = holder.get().at(now);
                    if (other.status() == Invitation.Status.PENDING) {
                        throw alreadyPending(other);
                    }
                    x.update(other, null); // expired too: it frees the address
                }
            }
            requireActive(found.tenant());
            Instant resendable = found.createdAt().plus(resendAfter);
            if (now.isBefore(resendable)) {
                throw new InvitationLimitException(
                        "Invitation " + id + " to " + found.email() + " was sent at " + found.createdAt()
                                + "; it can be resent from " + resendable + " (once every " + resendAfter + ")",
                        resendable);
            }
            requireWithinLimit(x, found.tenant(), now);
            Invitation reissued = found.reissued(actor, now, now.plus(validity));
            x.update(reissued, hash(token));
            x.audit(event("invitation.resent", reissued, actor));
            return reissued;
        });
        return new IssuedInvitation(resent, token);
    }

    /**
     * Withdraws a pending invitation; its token is no longer accepted. Cancelling one already
     * cancelled does nothing.
     *
     * @throws InvitationNotValidException when it was accepted already
     * @throws IllegalArgumentException when there is no invitation {@code id}
     */
    public Invitation cancel(String id, Actor actor) {
        ReadOnlyScopeException.refuseIfReadOnly("cancel an invitation");
        Objects.requireNonNull(actor, "actor");
        Instant now = now();
        return store.atomically("cancel invitation " + id, x -> {
            Invitation found = x.lock(id).orElseThrow(() -> unknown(id)).at(now);
            return switch (found.status()) {
                case CANCELLED -> found;
                case ACCEPTED ->
                    throw new InvitationNotValidException(
                            found.status(),
                            "Invitation " + id + " was accepted already: remove the member in the application instead");
                case PENDING, EXPIRED -> {
                    Invitation cancelled = found.with(Invitation.Status.CANCELLED, now, actor.id());
                    x.update(cancelled, null);
                    x.audit(event("invitation.cancelled", cancelled, actor));
                    yield cancelled;
                }
            };
        });
    }

    /**
     * Deletes every invitation of {@code tenant} (their addresses are personal data): what purging
     * a tenant does ({@link dev.tenancy.provision.TenantOffboarding.Builder#onPurge}). Audited with
     * the count, not the addresses; nothing is recorded when there was none.
     *
     * @return how many were deleted
     */
    public int forget(TenantId tenant, Actor actor) {
        ReadOnlyScopeException.refuseIfReadOnly("forget invitations");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(actor, "actor");
        return store.atomically("forget the invitations of '" + tenant + "'", x -> {
            int deleted = x.deleteAll(tenant);
            if (deleted > 0) {
                x.audit(AuditEntry.of(
                        "invitation.forgotten", ENTITY_TYPE, tenant.value(), tenant, actor, Map.of("count", deleted)));
            }
            return deleted;
        });
    }

    /** The invitation {@code id}, as of now. */
    public Optional<Invitation> find(String id) {
        Instant now = now();
        return store.find(id).map(i -> i.at(now));
    }

    /** The tenant's invitations, newest first (at most 1,000), as of now. */
    public List<Invitation> ofTenant(TenantId tenant) {
        Instant now = now();
        return store.ofTenant(tenant, MAX_LISTED).stream().map(i -> i.at(now)).toList();
    }

    private void requireActive(TenantId id) {
        Tenant tenant = catalog.find(id).orElseThrow(() -> new UnknownTenantException(id.value()));
        if (!dev.tenancy.TenantOperation.INVITE.allowedIn(tenant.status())) {
            throw new TenantNotActiveException(tenant.id(), tenant.status(), tenant.statusReason());
        }
    }

    private static String requireEmail(String email) {
        String address = email == null ? null : email.strip().toLowerCase(Locale.ROOT);
        if (address == null || address.length() > 254 || !EMAIL.matcher(address).matches()) {
            throw new IllegalArgumentException(
                    "Invalid invitation address '" + email + "': give one email address, like jane@acme.com");
        }
        return address;
    }

    private static void requireRole(String role) {
        if (role == null || !ROLE.matcher(role).matches()) {
            throw new IllegalArgumentException("Invalid invitation role '" + role
                    + "': use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter, like accountant");
        }
    }

    private static IllegalStateException alreadyPending(Invitation pending) {
        return new IllegalStateException(pending.email() + " has a pending invitation to '" + pending.tenant() + "' ("
                + pending.id() + ", until " + pending.expiresAt() + "): resend or cancel it");
    }

    private static IllegalArgumentException unknown(String id) {
        return new IllegalArgumentException("No invitation " + id);
    }

    private String newToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String hash(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /** Refuses a send that would pass the tenant's limit within the window, naming when the next one is accepted. */
    private void requireWithinLimit(InvitationStore.Changes x, TenantId tenant, Instant now)
            throws java.sql.SQLException {
        List<Instant> sent = x.sentAfter(tenant, now.minus(limitWindow));
        if (sent.size() >= limit) {
            Instant retryAfter = sent.get(sent.size() - limit).plus(limitWindow);
            throw new InvitationLimitException(
                    "Tenant '" + tenant + "' has sent " + sent.size() + " invitations within " + limitWindow
                            + ", its limit of " + limit + " (Invitations.Builder.limit); the next is accepted from "
                            + retryAfter,
                    retryAfter);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS); // what the database keeps
    }

    private static AuditEntry event(String action, Invitation i, Actor actor) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("email", i.email());
        metadata.put("role", i.role());
        metadata.put("expiresAt", i.expiresAt().toString());
        return AuditEntry.of(action, ENTITY_TYPE, i.id(), i.tenant(), actor, metadata);
    }

    /** Builds {@link Invitations}: a catalog and an audit log are required. */
    public static final class Builder {
        private TenantCatalog catalog;
        private AuditLog audit;
        private DataSource dataSource;
        private boolean installSchema = true;
        private InstantSource clock = InstantSource.system();
        private Duration validity = Duration.ofDays(7);
        private int limit = 100;
        private Duration limitWindow = Duration.ofDays(1);
        private Duration resendAfter = Duration.ofMinutes(1);

        private Builder() {}

        /** Where the tenants invited to are looked up; required. */
        public Builder catalog(TenantCatalog catalog) {
            this.catalog = Objects.requireNonNull(catalog, "catalog");
            return this;
        }

        /** Where every change is recorded; required. */
        public Builder auditLog(AuditLog audit) {
            this.audit = Objects.requireNonNull(audit, "audit");
            return this;
        }

        /** The platform database to keep invitations in; in memory without one. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** Whether to install the control-plane tables on build (default true). */
        public Builder installSchema(boolean installSchema) {
            this.installSchema = installSchema;
            return this;
        }

        /** The clock expiries are timed by; the system clock by default. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How long an invitation's token is accepted after it is sent (default 7 days). */
        public Builder validity(Duration validity) {
            if (validity == null || validity.isNegative() || validity.isZero()) {
                throw new IllegalArgumentException("An invitation's validity must be positive, was " + validity
                        + ": for example Duration.ofDays(7)");
            }
            this.validity = validity;
            return this;
        }

        /**
         * At most {@code invitations} of a tenant's invitations sent within any {@code window} (default
         * 100 a day), each counted once, as of its latest send or resend. Checked in each send's
         * transaction: sends racing on several nodes may pass it by the number of racers.
         */
        public Builder limit(int invitations, Duration window) {
            if (invitations < 1 || window == null || window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException(
                        "An invitation limit needs at least 1 invitation in a positive window, was " + invitations
                                + " in " + window + ": for example limit(100, Duration.ofDays(1))");
            }
            this.limit = invitations;
            this.limitWindow = window;
            return this;
        }

        /** How soon an invitation may be resent after it was sent (default 1 minute; zero for any time). */
        public Builder resendAfter(Duration resendAfter) {
            if (resendAfter == null || resendAfter.isNegative()) {
                throw new IllegalArgumentException("resendAfter must be zero or positive, was " + resendAfter
                        + ": for example Duration.ofMinutes(1)");
            }
            this.resendAfter = resendAfter;
            return this;
        }

        public Invitations build() {
            if (catalog == null || audit == null) {
                throw new IllegalStateException("Invitations needs catalog(...) and auditLog(...)");
            }
            return new Invitations(this);
        }
    }
}
