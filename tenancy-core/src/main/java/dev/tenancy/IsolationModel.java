package dev.tenancy;

import java.util.Locale;

/**
 * How a tenant's data is kept apart from other tenants'. A deployment may mix models (hybrid
 * isolation): each tenant's record says its own.
 */
public enum IsolationModel {
    /** Rows in shared tables, told apart by a tenant column (and row-level security on PostgreSQL). */
    SHARED,
    /** A schema of its own ({@link TenantId#schemaName()}) on a shared database server. */
    SCHEMA,
    /** A database of its own ({@link TenantId#databaseName()}). */
    DATABASE;

    /** The lowercase name used in storage and configuration. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@link #key()} (case-insensitive), naming the accepted values when it fails. */
    public static IsolationModel fromKey(String key) {
        if (key != null) {
            for (IsolationModel m : values()) {
                if (m.key().equalsIgnoreCase(key.trim())) {
                    return m;
                }
            }
        }
        throw new IllegalArgumentException("Unknown isolation model " + dev.tenancy.internal.Quoted.quote(key)
                + ": expected one of shared, schema, database");
    }
}
