package dev.tenancy.examples.reference;

import java.util.List;

/** The reference app's tenant settings sections (the seeds' branding and security screens), with their defaults. */
public final class Settings {
    private Settings() {}

    /** A tenant's branding: the console's colour and logo. */
    public record Branding(String primaryColor, String logoUrl) {
        public static final Branding DEFAULT = new Branding("#2563eb", null);

        public Branding {
            if (primaryColor == null || !primaryColor.matches("#[0-9a-fA-F]{6}")) {
                throw new IllegalArgumentException(
                        "primaryColor must be a colour like #2563eb, was '" + primaryColor + "'");
            }
            if (logoUrl != null && !logoUrl.startsWith("https://")) {
                throw new IllegalArgumentException("logoUrl must be an https:// address, was '" + logoUrl + "'");
            }
        }
    }

    /** A tenant's security policy. */
    public record Security(boolean mfaRequired, int sessionTimeoutMinutes, List<String> ipAllowlist) {
        public static final Security DEFAULT = new Security(false, 60, List.of());

        public Security {
            if (sessionTimeoutMinutes < 5 || sessionTimeoutMinutes > 1_440) {
                throw new IllegalArgumentException(
                        "sessionTimeoutMinutes must be 5 to 1440, was " + sessionTimeoutMinutes);
            }
            ipAllowlist = ipAllowlist == null ? List.of() : List.copyOf(ipAllowlist);
        }
    }
}
