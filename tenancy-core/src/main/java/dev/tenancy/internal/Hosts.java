package dev.tenancy.internal;

import java.util.Locale;

/**
 * Internal; not API. Host-name normalisation shared by the domain catalog and the resolvers: lowercase, no port, no
 * trailing dot, labels of letters, digits and inner hyphens, at most 253 characters.
 */
public final class Hosts {
    private Hosts() {}

    /** The normalised host, or {@code null} when {@code host} is not a valid host name. */
    public static String normalize(String host) {
        if (host == null) {
            return null;
        }
        int length = host.length();
        if (length == 0 || length > 260) {
            return null;
        }
        int end = length;
        boolean upper = false;
        char previous = '.'; // so that a leading dot or hyphen fails like an empty label
        int labelStart = 0;
        for (int i = 0; i < length; i++) {
            char c = host.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                previous = c;
            } else if (c == '.') {
                if (previous == '.' || previous == '-' || i - labelStart > 63) {
                    return null;
                }
                labelStart = i + 1;
                previous = c;
            } else if (c == '-') {
                if (previous == '.') {
                    return null;
                }
                previous = c;
            } else if (c >= 'A' && c <= 'Z') {
                upper = true;
                previous = c;
            } else if (c == ':') {
                end = i;
                if (!isPort(host, i + 1, length)) {
                    return null;
                }
                break;
            } else {
                return null;
            }
        }
        if (end == 0 || previous == '-' || end - labelStart > 63) {
            return null;
        }
        if (previous == '.') {
            end--; // one trailing dot: the root, fully qualified
            if (end == 0 || host.charAt(end - 1) == '.') {
                return null;
            }
        }
        if (end == 0 || end > 253) {
            return null;
        }
        String result = end == length ? host : host.substring(0, end);
        return upper ? result.toLowerCase(Locale.ROOT) : result;
    }

    private static boolean isPort(String host, int from, int to) {
        if (from == to || to - from > 5) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = host.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** The normalised host, or an exception naming the value. */
    public static String requireHost(String host) {
        String normalized = normalize(host);
        if (normalized == null) {
            throw new IllegalArgumentException("Invalid host name '" + host
                    + "': expected labels of letters, digits and inner hyphens separated by dots, like app.acme.com");
        }
        return normalized;
    }
}
