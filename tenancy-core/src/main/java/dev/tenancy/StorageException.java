package dev.tenancy;

/** A store (catalog, audit log, ...) could not read or write; the cause holds the database error. */
public final class StorageException extends TenancyException {
    private static final long serialVersionUID = 1L;

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
