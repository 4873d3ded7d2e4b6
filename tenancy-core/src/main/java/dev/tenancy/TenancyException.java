package dev.tenancy;

/**
 * The root of every exception Tenancy throws. Messages name the tenant, the offending value and,
 * where known, the fix; subclasses also carry those values as fields so no caller parses text.
 */
public class TenancyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TenancyException(String message) {
        super(message);
    }

    public TenancyException(String message, Throwable cause) {
        super(message, cause);
    }
}
