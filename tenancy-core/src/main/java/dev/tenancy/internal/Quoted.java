package dev.tenancy.internal;

/**
 * Internal; not API. Puts a refused value into an error message (and so into logs and HTTP problem
 * details) safely: quoted, at most 80 characters, and every character that could hide or reorder
 * text escaped as {@code \\uXXXX}: controls, format characters (bidirectional overrides and
 * isolates, zero-width spaces and joiners, the byte-order mark), line and paragraph separators and
 * unpaired surrogates.
 */
public final class Quoted {
    private static final int LIMIT = 80;

    private Quoted() {}

    /** {@code 'value'} with hazardous characters escaped, or {@code null} unquoted. */
    public static String quote(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("'");
        int limit = Math.min(value.length(), LIMIT);
        for (int i = 0; i < limit; i++) {
            char c = value.charAt(i);
            if (hazardous(value, i)) {
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

    private static boolean hazardous(String value, int i) {
        char c = value.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(value.charAt(i - 1));
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL,
                    Character.FORMAT,
                    Character.LINE_SEPARATOR,
                    Character.PARAGRAPH_SEPARATOR,
                    Character.UNASSIGNED,
                    Character.PRIVATE_USE -> true;
            default -> false;
        };
    }
}
