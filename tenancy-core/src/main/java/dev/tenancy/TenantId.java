package dev.tenancy;

import java.util.Set;

/**
 * The identifier (slug) of a tenant: the only way a tenant name reaches SQL.
 *
 * <p>A valid id is 1 to {@value #MAX_LENGTH} characters of lowercase ASCII letters, digits and
 * single hyphens, starting and ending with a letter or digit; in other words a DNS label, so that
 * every id also works as a subdomain. Ids reserved for the platform ({@code www}, {@code api},
 * {@code system}, {@code public}, {@code postgres}, {@code template0}, anything starting with
 * {@code pg-}, ...) are refused.
 *
 * <p>{@link #schemaName()} and {@link #databaseName()} map ids injectively to names that are valid,
 * unquoted, lowercase identifiers on PostgreSQL and H2 and never collide with a system name: the
 * prefix {@code t_} followed by the id with hyphens turned into underscores. Because ids contain no
 * underscore, two different ids never share a name.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * TenantId acme = TenantId.of("acme-corp");
 * acme.schemaName();   // "t_acme_corp"
 * TenantId.of("Acme"); // InvalidTenantIdException: ... must be lowercase
 * }</pre>
 *
 * @param value the validated slug
 */
public record TenantId(String value) implements Comparable<TenantId> {

    /** The longest id: leaves room for the {@code t_} prefix within PostgreSQL's 63-byte names. */
    public static final int MAX_LENGTH = 48;

    /** The prefix of every schema and database name derived from an id. */
    public static final String NAME_PREFIX = "t_";

    private static final Set<String> RESERVED = Set.of(
            "www",
            "api",
            "admin",
            "app",
            "system",
            "platform",
            "public",
            "default",
            "root",
            "postgres",
            "template0",
            "template1",
            "information-schema",
            "sys",
            "mail",
            "localhost");

    private static final int LONGEST_RESERVED =
            RESERVED.stream().mapToInt(String::length).max().orElseThrow();

    /** Validates {@code value}; see {@link #of(String)}. */
    public TenantId {
        if (!isValid(value)) {
            throw new InvalidTenantIdException(value, violation(value));
        }
    }

    /**
     * Returns the id for {@code value}.
     *
     * @throws InvalidTenantIdException naming the value and the rule it broke
     */
    public static TenantId of(String value) {
        return new TenantId(value);
    }

    /** Returns whether {@code value} is a valid id, without throwing. */
    public static boolean isValid(String value) {
        // The hot path (every request names an id): one tight loop; violation() explains failures.
        if (value == null) {
            return false;
        }
        int length = value.length();
        if (length == 0 || length > MAX_LENGTH) {
            return false;
        }
        char previous = '-'; // so that a leading hyphen fails like a double one
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c == '-') {
                if (previous == '-') {
                    return false;
                }
            } else if ((c < 'a' || c > 'z') && (c < '0' || c > '9')) {
                return false;
            }
            previous = c;
        }
        return previous != '-' && !isReserved(value, length);
    }

    private static boolean isReserved(String value, int length) {
        return (length <= LONGEST_RESERVED && RESERVED.contains(value)) || value.startsWith("pg-");
    }

    /** The PostgreSQL/H2 schema that holds this tenant's tables under schema-per-tenant isolation. */
    public String schemaName() {
        return NAME_PREFIX + value.replace('-', '_');
    }

    /** The database that holds this tenant's tables under database-per-tenant isolation. */
    public String databaseName() {
        return schemaName();
    }

    // Written out: ids are compared and hashed on every borrow (catalog cache, bindings), and the
    // generated record methods go through method handles that showed up in profiles.
    @Override
    public boolean equals(Object o) {
        return o instanceof TenantId other && value.equals(other.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public int compareTo(TenantId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }

    /** A valid id close to {@code value} (lowercased, other characters turned into hyphens), or null. */
    private static String suggest(String value) {
        if (value.length() > 4 * MAX_LENGTH) {
            return null;
        }
        String slug = value.toLowerCase(java.util.Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("^-+|-+$", "");
        return !slug.equals(value) && violation(slug) == null ? slug : null;
    }

    /** Returns the first rule {@code value} breaks, or {@code null} when it is a valid id. */
    static String violation(String value) {
        if (value == null) {
            return "must not be null";
        }
        int length = value.length();
        if (length == 0) {
            return "must not be empty";
        }
        if (length > MAX_LENGTH) {
            return "must be at most " + MAX_LENGTH + " characters, was " + length;
        }
        char previous = 0;
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            boolean lower = c >= 'a' && c <= 'z';
            boolean digit = c >= '0' && c <= '9';
            if (!lower && !digit && c != '-') {
                String rule = c >= 'A' && c <= 'Z'
                        ? "must be lowercase"
                        : "may contain only a-z, 0-9 and '-', found "
                                + InvalidTenantIdException.quote(String.valueOf(c)) + " at index " + i;
                String suggestion = suggest(value);
                return suggestion == null
                        ? rule
                        : rule + "; use " + InvalidTenantIdException.quote(suggestion) + " instead";
            }
            if (c == '-' && (i == 0 || i == length - 1)) {
                return "must start and end with a letter or digit";
            }
            if (c == '-' && previous == '-') {
                return "must not contain two hyphens in a row";
            }
            previous = c;
        }
        if (isReserved(value, length)) {
            return "is reserved for the platform; choose another slug";
        }
        return null;
    }
}
