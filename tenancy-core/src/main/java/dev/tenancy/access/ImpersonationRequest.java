package dev.tenancy.access;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import java.time.Duration;
import java.util.Objects;

/**
 * What an admin fills in to impersonate a tenant's user: who, why, on whose permission, how and
 * for how long. Every field but the mode and the duration is mandatory; an invalid request is
 * refused when built, naming the field.
 *
 * <pre>{@code
 * ImpersonationRequest request = ImpersonationRequest.builder(admin, acme, "jane@acme.com", "company_admin")
 *         .reason("Debugging Jane's reported invoice issue, ticket #4521")
 *         .consent(ConsentSource.TICKET, "#4521")
 *         .build();                                  // read-only, for an hour
 * }</pre>
 *
 * @param impersonator the platform admin who impersonates
 * @param tenant the tenant whose user is impersonated
 * @param user the impersonated user's id, as the host application knows it
 * @param userRole that user's role in the tenant
 * @param reason why, in the admin's words
 * @param consentSource how the tenant gave permission
 * @param consentReference which ticket, email or call
 * @param mode read-only (the default) or write
 * @param duration how long the session may last at most; one hour by default
 */
public record ImpersonationRequest(
        Actor impersonator,
        TenantId tenant,
        String user,
        String userRole,
        String reason,
        ConsentSource consentSource,
        String consentReference,
        ImpersonationMode mode,
        Duration duration) {

    /** How long a session lasts unless the request says otherwise. */
    public static final Duration DEFAULT_DURATION = Duration.ofHours(1);

    public ImpersonationRequest {
        Objects.requireNonNull(impersonator, "impersonator");
        Objects.requireNonNull(tenant, "tenant");
        user = text("user", user, 200, "the impersonated user's id");
        userRole = text("user role", userRole, 64, "the impersonated user's role in the tenant");
        reason = text("reason", reason, 1000, "why the session is needed, e.g. the ticket it serves");
        if (consentSource == null) {
            throw new IllegalArgumentException(
                    "An impersonation needs the tenant's permission: call consent(source, reference)");
        }
        consentReference =
                text("consent reference", consentReference, 200, "the ticket number, email subject or call time");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("An impersonation's duration must be positive, was " + duration);
        }
    }

    private static String text(String field, String value, int max, String hint) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("An impersonation needs a " + field + ": " + hint);
        }
        String trimmed = value.strip();
        if (trimmed.length() > max) {
            throw new IllegalArgumentException(
                    "An impersonation's " + field + " must be at most " + max + " characters, was " + trimmed.length());
        }
        return trimmed;
    }

    /** A request by {@code impersonator} to act as {@code user} (in role {@code userRole}) of {@code tenant}. */
    public static Builder builder(Actor impersonator, TenantId tenant, String user, String userRole) {
        return new Builder(impersonator, tenant, user, userRole);
    }

    /** Builds an {@link ImpersonationRequest}. */
    public static final class Builder {
        private final Actor impersonator;
        private final TenantId tenant;
        private final String user;
        private final String userRole;
        private String reason;
        private ConsentSource consentSource;
        private String consentReference;
        private ImpersonationMode mode = ImpersonationMode.READ_ONLY;
        private Duration duration = DEFAULT_DURATION;

        private Builder(Actor impersonator, TenantId tenant, String user, String userRole) {
            this.impersonator = impersonator;
            this.tenant = tenant;
            this.user = user;
            this.userRole = userRole;
        }

        /** Why the session is needed; mandatory. */
        public Builder reason(String reason) {
            this.reason = reason;
            return this;
        }

        /** How the tenant gave permission, and which ticket, email or call; mandatory. */
        public Builder consent(ConsentSource source, String reference) {
            this.consentSource = source;
            this.consentReference = reference;
            return this;
        }

        /** Asks for write mode (needs {@link Permission#IMPERSONATION_WRITE_ENABLE}); read-only otherwise. */
        public Builder write() {
            this.mode = ImpersonationMode.WRITE;
            return this;
        }

        /** How long the session may last; {@link #DEFAULT_DURATION} otherwise. */
        public Builder duration(Duration duration) {
            this.duration = duration;
            return this;
        }

        public ImpersonationRequest build() {
            return new ImpersonationRequest(
                    impersonator, tenant, user, userRole, reason, consentSource, consentReference, mode, duration);
        }
    }
}
