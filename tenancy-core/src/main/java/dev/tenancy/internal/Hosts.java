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
        int end = host.length();
        if (end == 0 || end > 260) {
            return null;
        }
        int colon = host.lastIndexOf(':');
        if (colon >= 0) {
            for (int i = colon + 1; i < end; i++) {
                char c = host.charAt(i);
                if (c < '0' || c > '9') {
                    return null;
                }
            }
            if (colon == end - 1 || end - colon > 6) {
                return null;
            }
            end = colon;
        }
        if (end > 0 && host.charAt(end - 1) == '.') {
            end--;
        }
        if (end == 0 || end > 253) {
            return null;
        }
        int labelStart = 0;
        boolean needsLowercase = false;
        for (int i = 0; i <= end; i++) {
            char c = i == end ? '.' : host.charAt(i);
            if (c == '.') {
                int length = i - labelStart;
                if (length == 0 || length > 63 || host.charAt(labelStart) == '-' || host.charAt(i - 1) == '-') {
                    return null;
                }
                labelStart = i + 1;
            } else if (c >= 'A' && c <= 'Z') {
                needsLowercase = true;
            } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return null;
            }
        }
        String result = end == host.length() ? host : host.substring(0, end);
        return needsLowercase ? result.toLowerCase(Locale.ROOT) : result;
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
