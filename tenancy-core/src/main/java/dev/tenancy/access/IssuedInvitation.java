package dev.tenancy.access;

import java.util.Objects;

/**
 * An invitation just sent, with its token: send the token to the invitee (in a link) and forget
 * it. Only a hash of it is stored, so it cannot be shown again; {@link Invitations#resend} issues
 * a new one. {@link #toString()} leaves it out, so that it does not end up in logs.
 *
 * @param invitation what was recorded
 * @param token the secret that accepts it ({@link Invitations#accept}), 43 URL-safe characters
 */
public record IssuedInvitation(Invitation invitation, String token) {
    public IssuedInvitation {
        Objects.requireNonNull(invitation, "invitation");
        Objects.requireNonNull(token, "token");
    }

    @Override
    public String toString() {
        return "IssuedInvitation[invitation=" + invitation + ", token=(hidden)]";
    }
}
