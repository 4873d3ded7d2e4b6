package dev.tenancy.access;

import java.util.Locale;

/** Whether an impersonating admin may change the tenant's data. */
public enum ImpersonationMode {
    /** Reads only: the session's scope is {@linkplain dev.tenancy.context.TenantScope#readOnly() read-only}. */
    READ_ONLY,
    /** Reads and writes; needs {@link Permission#IMPERSONATION_WRITE_ENABLE}. */
    WRITE;

    /** The stored and audited name: {@code read_only} or {@code write}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    static ImpersonationMode ofKey(String key) {
        return valueOf(key.toUpperCase(Locale.ROOT));
    }
}
