package dev.tenancy.access;

import dev.tenancy.TenancyException;
import java.time.Instant;

/**
 * An invitation was refused because too many were sent: the tenant reached its limit of
 * invitations within the window ({@link Invitations.Builder#limit}), or one invitation was resent
 * too soon after it was sent ({@link Invitations.Builder#resendAfter}). Nothing was sent or
 * recorded; {@link #retryAfter()} says when it will be accepted (an HTTP API answers 429 with a
 * {@code Retry-After}).
 */
public class InvitationLimitException extends TenancyException {
    private static final long serialVersionUID = 1L;

    private final Instant retryAfter;

    InvitationLimitException(String message, Instant retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    /** The earliest instant at which the same request is accepted. */
    public Instant retryAfter() {
        return retryAfter;
    }
}
