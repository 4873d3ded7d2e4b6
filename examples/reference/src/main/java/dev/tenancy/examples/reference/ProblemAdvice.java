package dev.tenancy.examples.reference;

import dev.tenancy.IllegalTenantTransitionException;
import dev.tenancy.InvalidTenantIdException;
import dev.tenancy.ReadOnlyScopeException;
import dev.tenancy.TenancyException;
import dev.tenancy.TenantAlreadyExistsException;
import dev.tenancy.UnknownTenantException;
import dev.tenancy.access.AccessDeniedException;
import dev.tenancy.access.ImpersonationInProgressException;
import dev.tenancy.access.ImpersonationNotActiveException;
import dev.tenancy.access.InvitationLimitException;
import dev.tenancy.access.InvitationNotValidException;
import dev.tenancy.billing.QuotaExceededException;
import java.net.URI;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Refusals as RFC 9457 problems whose detail is the library's message: it names the value and the fix. */
@RestControllerAdvice
public class ProblemAdvice {

    @ExceptionHandler(TenancyException.class)
    ProblemDetail tenancy(TenancyException e) {
        HttpStatus status = switch (e) {
            case AccessDeniedException x -> HttpStatus.FORBIDDEN;
            case UnknownTenantException x -> HttpStatus.NOT_FOUND;
            case ImpersonationNotActiveException x -> HttpStatus.NOT_FOUND;
            case TenantAlreadyExistsException x -> HttpStatus.CONFLICT;
            case IllegalTenantTransitionException x -> HttpStatus.CONFLICT;
            case dev.tenancy.TenantOperationRefusedException x -> HttpStatus.CONFLICT;
            case ImpersonationInProgressException x -> HttpStatus.CONFLICT;
            case InvitationNotValidException x -> x.status() == null ? HttpStatus.NOT_FOUND : HttpStatus.GONE;
            case InvalidTenantIdException x -> HttpStatus.BAD_REQUEST;
            case dev.tenancy.catalog.InvalidDomainException x -> HttpStatus.BAD_REQUEST;
            case dev.tenancy.catalog.DomainVerificationException x ->
                x.transientFailure() ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.UNPROCESSABLE_CONTENT;
            case QuotaExceededException x -> HttpStatus.FORBIDDEN;
            case ReadOnlyScopeException x -> HttpStatus.FORBIDDEN;
            default -> HttpStatus.UNPROCESSABLE_CONTENT;
        };
        return problem(status, e);
    }

    /** Too many invitations: 429, with when to try again. */
    @ExceptionHandler(InvitationLimitException.class)
    ResponseEntity<ProblemDetail> tooManyInvitations(InvitationLimitException e) {
        return tooMany(e, java.time.Duration.between(java.time.Instant.now(), e.retryAfter()));
    }

    private static ResponseEntity<ProblemDetail> tooMany(RuntimeException e, java.time.Duration retryAfter) {
        long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
                .body(problem(HttpStatus.TOO_MANY_REQUESTS, e));
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail badInput(IllegalArgumentException e) {
        return problem(HttpStatus.BAD_REQUEST, e);
    }

    /** The library's "not in this state" refusals, such as granting an override to a tenant with no subscription. */
    @ExceptionHandler(IllegalStateException.class)
    ProblemDetail conflict(IllegalStateException e) {
        return problem(HttpStatus.CONFLICT, e);
    }

    private static ProblemDetail problem(HttpStatus status, RuntimeException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, e.getMessage());
        problem.setType(
                URI.create("https://tenancy.dev/problems/" + kebab(e.getClass().getSimpleName())));
        return problem;
    }

    private static String kebab(String exception) {
        return exception
                .replaceAll("Exception$", "")
                .replaceAll("([a-z])([A-Z])", "$1-$2")
                .toLowerCase();
    }
}
