package dev.tenancy.access;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * An invitation to join a tenant's team, as recorded: who was invited (an email address) to which
 * tenant with which role, by whom, until when, and what became of it. The token that accepts it
 * is never part of it: only {@link IssuedInvitation} carries it, once.
 *
 * @param id the invitation's id
 * @param tenant the tenant the invitee joins
 * @param email the invitee's address, trimmed and lowercase
 * @param role the role the invitee gets in the tenant, as the host application names it
 * @param invitedBy who sent it
 * @param createdAt when it was sent (or last re-sent)
 * @param expiresAt until when its token is accepted
 * @param status what became of it, as of when it was read
 * @param decidedAt when it was accepted or cancelled, or {@code null}
 * @param decidedBy the id of the user who accepted it or of the actor who cancelled it, or {@code null}
 */
public record Invitation(
        String id,
        TenantId tenant,
        String email,
        String role,
        Actor invitedBy,
        Instant createdAt,
        Instant expiresAt,
        Status status,
        Instant decidedAt,
        String decidedBy) {

    public Invitation {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(invitedBy, "invitedBy");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(status, "status");
    }

    /** What became of an invitation. */
    public enum Status {
        /** Sent; its token is accepted until it expires. */
        PENDING,
        /** Accepted by the invitee; its token is spent. */
        ACCEPTED,
        /** Cancelled before it was accepted. */
        CANCELLED,
        /** Not accepted in time. */
        EXPIRED;

        /** The lowercase key, as stored. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Status ofKey(String key) {
            return valueOf(key.toUpperCase(Locale.ROOT));
        }
    }

    /** This invitation as seen at {@code now}: a pending one past its expiry is {@link Status#EXPIRED}. */
    Invitation at(Instant now) {
        return status == Status.PENDING && !now.isBefore(expiresAt) ? with(Status.EXPIRED, null, null) : this;
    }

    Invitation with(Status newStatus, Instant when, String by) {
        return new Invitation(id, tenant, email, role, invitedBy, createdAt, expiresAt, newStatus, when, by);
    }

    Invitation reissued(Actor by, Instant now, Instant newExpiry) {
        return new Invitation(id, tenant, email, role, by, now, newExpiry, Status.PENDING, null, null);
    }
}
