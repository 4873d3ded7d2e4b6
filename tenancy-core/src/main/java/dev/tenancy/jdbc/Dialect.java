package dev.tenancy.jdbc;

/**
 * The databases Tenancy routes, and what differs between them. The binding itself, and why it is
 * sent on every borrow, is {@link SessionBinder}'s.
 */
enum Dialect {
    POSTGRESQL,
    H2;

    static Dialect of(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        if (jdbcUrl.startsWith("jdbc:h2:")) {
            return H2;
        }
        throw new IllegalArgumentException(
                "Unsupported database '" + jdbcUrl + "': Tenancy routes PostgreSQL and H2 connections");
    }

    /** The session setting row-level security policies read on PostgreSQL. */
    static final String TENANT_SETTING = "tenancy.tenant_id";

    /** The statement that binds an H2 session to {@code binding}: its schema. */
    String bindSql(Binding binding) {
        if (this != H2) {
            throw new IllegalStateException("PostgreSQL sessions are bound by SessionBinder");
        }
        return "SET SCHEMA " + quote(binding.schema());
    }

    /** The session setting that carries the token of a signed binding on PostgreSQL. */
    static final String SIGNATURE_SETTING = "tenancy.binding";

    /** The schema shared-model tenants and the platform use. */
    String defaultSchema() {
        return this == POSTGRESQL ? "public" : "PUBLIC";
    }

    /** Whether the database itself refuses writes in a read-only binding. */
    boolean enforcesReadOnly() {
        return this == POSTGRESQL;
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
