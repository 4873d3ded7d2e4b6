package dev.tenancy.jooq;

import org.jooq.exception.DataAccessException;

/**
 * A statement refused before it reached the database because it would read or write rows of a
 * tenant other than the current one, or because Tenancy cannot scope it: an INSERT naming another
 * tenant, an UPDATE moving rows to another tenant, a MERGE into a shared table, a query built for
 * one tenant executed as another. The message names the statement's table and the fix.
 */
public final class TenantIsolationException extends DataAccessException {
    private static final long serialVersionUID = 1L;

    TenantIsolationException(String message) {
        super(message);
    }
}
