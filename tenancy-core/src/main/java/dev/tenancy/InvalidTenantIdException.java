package dev.tenancy;

/** A string that is not a valid {@link TenantId}; carries the refused value and the rule it broke. */
public final class InvalidTenantIdException extends TenancyException {
    private static final long serialVersionUID = 1L;

    private final String value;
    private final String rule;

    InvalidTenantIdException(String value, String rule) {
        super("Invalid tenant id " + quote(value) + ": " + rule);
        this.value = value;
        this.rule = rule;
    }

    /** The refused input, possibly {@code null}. */
    public String value() {
        return value;
    }

    /** The rule the input broke, in words. */
    public String rule() {
        return rule;
    }

    static String quote(String value) {
        return dev.tenancy.internal.Quoted.quote(value);
    }
}
