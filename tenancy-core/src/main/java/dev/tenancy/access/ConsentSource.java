package dev.tenancy.access;

import java.util.Locale;

/**
 * How the tenant gave its permission to be impersonated (the admin manual's "Permission Source");
 * the request's consent reference says which email, call or ticket.
 */
public enum ConsentSource {
    EMAIL,
    PHONE_CALL,
    TICKET,
    OTHER;

    /** The stored and audited name, such as {@code phone_call}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    static ConsentSource ofKey(String key) {
        return valueOf(key.toUpperCase(Locale.ROOT));
    }
}
