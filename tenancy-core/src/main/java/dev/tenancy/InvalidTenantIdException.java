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
        if (value == null) {
            return "null";
        }
        // Keep messages (and logs) safe and short whatever the input was.
        StringBuilder sb = new StringBuilder("'");
        int limit = Math.min(value.length(), 80);
        for (int i = 0; i < limit; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (value.length() > limit) {
            sb.append("...(").append(value.length()).append(" chars)");
        }
        return sb.append('\'').toString();
    }
}
