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
import java.util.NoSuchElementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.TransactionException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error as an RFC 9457 problem ({@code application/problem+json}) with a stable {@code type}:
 * the library's refusals with its message (it names the value and the fix), Spring MVC's own
 * (malformed JSON 400, 404, 405, 415) through {@link ResponseEntityExceptionHandler}, a write by a
 * read-only tenant 409, and anything unexpected 500 with an id to find it in the log, never a Java
 * class name or a stack trace.
 */
@RestControllerAdvice
public class ProblemAdvice extends ResponseEntityExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ProblemAdvice.class);
    private static final String TYPES = "https://tenancy.dev/problems/";

    /** Spring MVC's own errors: its problem, with a type named after the status. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(
            Exception e, Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = body instanceof ProblemDetail p ? p : ProblemDetail.forStatus(status);
        String type = switch (status.value()) {
            case 400 -> "malformed-request";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 413 -> "request-too-large";
            case 415 -> "unsupported-media-type";
            default -> "http-" + status.value();
        };
        problem.setType(URI.create(TYPES + type));
        if (status.value() == 400 && e instanceof org.springframework.http.converter.HttpMessageNotReadableException) {
            problem.setDetail("The request body is not the JSON this endpoint reads: check its syntax and fields");
        }
        return super.handleExceptionInternal(e, problem, headers, status, request);
    }

    /** An id the current tenant has no such thing with: 404, the same as for another tenant's. */
    @ExceptionHandler(NoSuchElementException.class)
    ProblemDetail notFound(NoSuchElementException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
        problem.setType(URI.create(TYPES + "not-found"));
        return problem;
    }

    /** A write the database refused because the tenant is bound read-only (archived, read-only scope). */
    @ExceptionHandler({DataAccessException.class, TransactionException.class})
    ResponseEntity<ProblemDetail> database(RuntimeException e) {
        if (readOnly(e)) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                    HttpStatus.CONFLICT,
                    "This tenant is read-only (archived, or a read-only session): nothing can be changed");
            problem.setType(URI.create(TYPES + "read-only"));
            return ResponseEntity.status(HttpStatus.CONFLICT).body(problem);
        }
        return ResponseEntity.internalServerError().body(unexpected(e));
    }

    private static boolean readOnly(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && "25006".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** Anything else: 500, logged with an id the problem carries, and nothing of its internals. */
    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e, WebRequest request) throws Exception {
        if (e instanceof org.springframework.web.ErrorResponse) {
            throw e; // Spring's own, answered by handleException
        }
        return ResponseEntity.internalServerError().body(unexpected(e));
    }

    private static ProblemDetail unexpected(Exception e) {
        String id = java.util.UUID.randomUUID().toString().substring(0, 8);
        LOG.error("Unexpected error {}", id, e);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.INTERNAL_SERVER_ERROR, "Something went wrong on our side; it was logged as " + id);
        problem.setType(URI.create(TYPES + "internal-error"));
        problem.setProperty("errorId", id);
        return problem;
    }

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
