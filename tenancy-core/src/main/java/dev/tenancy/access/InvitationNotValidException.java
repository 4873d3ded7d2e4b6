package dev.tenancy.access;

import dev.tenancy.TenancyException;

/**
 * An invitation token was presented that accepts nothing: unknown, or its invitation was already
 * accepted, cancelled, or expired. The message names which, never the token.
 */
public class InvitationNotValidException extends TenancyException {
    private static final long serialVersionUID = 1L;

    private final Invitation.Status status;

    InvitationNotValidException(Invitation.Status status, String message) {
        super(message);
        this.status = status;
    }

    /** What became of the invitation; {@code null} when the token matches none. */
    public Invitation.Status status() {
        return status;
    }
}
