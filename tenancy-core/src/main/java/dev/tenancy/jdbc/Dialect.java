package dev.tenancy.jdbc;

/**
 * What binding a connection takes on each database. Values are validated tenant ids and schema
 * names derived from them, and are quoted besides, so the statements are built as text: one
 * round trip, and on PostgreSQL a text pgJDBC parses (it sees {@code SET search_path} and drops
 * its server-prepared statements, so a statement prepared for one tenant's schema is never reused
 * against another's).
 *
 * <p>Why session {@code SET}s, sent only when a borrow changes tenant (measured in {@code
 * BindingBenchmark}, figures in {@code BENCHMARKS.md}): a same-tenant borrow then sends nothing
 * and costs what the query costs, and a switch costs one round trip. Resetting on return pays a
 * round trip on every borrow; transaction-scoped {@code SET LOCAL} pays {@code BEGIN}/{@code
 * COMMIT} on every borrow; one {@code set_config(...)} statement costs the same as the text but
 * leaves pgJDBC's prepared statements in place, which then fail with "cached plan must not change
 * result type" when tenants' tables differ in shape; schema-qualified SQL needs every statement
 * rewritten per tenant, which plain JDBC cannot do (jOOQ's render mapping can).
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

    /**
     * The statement that binds a connection to {@code binding}: search path (or schema), the tenant
     * setting, and read-only mode.
     */
    String bindSql(Binding binding) {
        return bindSql(binding, null);
    }

    /**
     * The binding statement, with {@code signature} (lowercase hex, see {@link BindingKey}) as
     * {@value #SIGNATURE_SETTING} on PostgreSQL when not null.
     */
    String bindSql(Binding binding, String signature) {
        return switch (this) {
            case POSTGRESQL ->
                "SET search_path TO " + quote(binding.schema()) + "; SET " + TENANT_SETTING + " TO '"
                        + (binding.tenant() == null ? "" : binding.tenant().value())
                        + "'; SET default_transaction_read_only TO " + (binding.readOnly() ? "on" : "off")
                        + (signature == null ? "" : "; SET " + SIGNATURE_SETTING + " TO '" + signature + "'");
            case H2 -> "SET SCHEMA " + quote(binding.schema());
        };
    }

    /** The session setting that carries the signed binding on PostgreSQL. */
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
