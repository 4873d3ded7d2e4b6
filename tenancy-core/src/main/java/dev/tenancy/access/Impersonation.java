package dev.tenancy.access;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One impersonation session, as recorded: who impersonated whom in which tenant, why, on whose
 * permission, in which mode, and when it started, expires and ended.
 *
 * @param id the session's id
 * @param impersonator the platform admin, with the role held when the session started
 * @param tenant the impersonated user's tenant
 * @param user the impersonated user's id
 * @param userRole that user's role in the tenant
 * @param mode read-only or write
 * @param reason why, in the admin's words
 * @param consentSource how the tenant gave permission
 * @param consentReference which ticket, email or call
 * @param startedAt when it started
 * @param expiresAt when it stops being usable, unless ended before
 * @param endedAt when it was ended (at most {@code expiresAt}), or {@code null} while open
 * @param endedBy the id of the actor who ended it, or {@code null}
 */
public record Impersonation(
        String id,
        Actor impersonator,
        TenantId tenant,
        String user,
        String userRole,
        ImpersonationMode mode,
        String reason,
        ConsentSource consentSource,
        String consentReference,
        Instant startedAt,
        Instant expiresAt,
        Instant endedAt,
        String endedBy) {

    public Impersonation {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(impersonator, "impersonator");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /** Whether the session may be used at {@code now}: not ended and not expired. */
    public boolean activeAt(Instant now) {
        return endedAt == null && now.isBefore(expiresAt);
    }

    /** When it ended, if it was. */
    public Optional<Instant> ended() {
        return Optional.ofNullable(endedAt);
    }

    /** Whether the impersonating admin may only read. */
    public boolean readOnly() {
        return mode == ImpersonationMode.READ_ONLY;
    }

    Impersonation endedAt(Instant when, String by) {
        return new Impersonation(
                id,
                impersonator,
                tenant,
                user,
                userRole,
                mode,
                reason,
                consentSource,
                consentReference,
                startedAt,
                expiresAt,
                when,
                by);
    }
}
