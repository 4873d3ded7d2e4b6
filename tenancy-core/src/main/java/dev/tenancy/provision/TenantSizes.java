package dev.tenancy.provision;

import dev.tenancy.StorageException;
import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.UnknownTenantException;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.jdbc.TenantStorage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How much storage each tenant's data takes, from PostgreSQL's own sizes: what a storage quota
 * measures.
 *
 * <ul>
 *   <li>a schema tenant: the total size of its schema's tables, with their indexes and TOAST;
 *   <li>a database tenant: its database's size;
 *   <li>a shared tenant (an estimate): for each shared table, the tenant's rows times the table's
 *       average row size (its total size over its row count).
 * </ul>
 *
 * <p>On H2 every size is 0: H2 does not report sizes per schema. Each measurement is a few
 * queries on an owner connection; cache what you enforce on (the starter caches five minutes).
 *
 * <pre>{@code
 * TenantSizes sizes = TenantSizes.builder().catalog(catalog).dataSource(tenantDataSource)
 *         .sharedTable(SharedTable.of("orders", "tenant_id")).build();
 * long bytes = sizes.bytes(acme);
 * }</pre>
 */
public final class TenantSizes {
    private final TenantCatalog catalog;
    private final TenantDataSource dataSource;
    private final List<SharedTable> sharedTables;

    private TenantSizes(Builder b) {
        this.catalog = Objects.requireNonNull(b.catalog, "catalog");
        this.dataSource = Objects.requireNonNull(b.dataSource, "dataSource");
        this.sharedTables = List.copyOf(b.sharedTables);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The bytes {@code id}'s data takes (an estimate for a shared tenant; 0 on H2).
     *
     * @throws UnknownTenantException when the catalog does not know it
     */
    public long bytes(TenantId id) {
        Tenant tenant = catalog.find(id).orElseThrow(() -> new UnknownTenantException(id.value()));
        TenantStorage storage = dataSource.storage(tenant);
        if (!storage.postgres()) {
            return 0;
        }
        try (Connection c = storage.connect(tenant)) {
            return switch (tenant.isolation()) {
                case SCHEMA ->
                    single(
                            c,
                            "SELECT COALESCE(sum(pg_catalog.pg_total_relation_size(c.oid)), 0) FROM pg_catalog.pg_class c"
                                    + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                                    + " WHERE n.nspname = ? AND c.relkind IN ('r', 'm', 'p')",
                            tenant.id().schemaName());
                case DATABASE -> single(c, "SELECT pg_catalog.pg_database_size(current_database())", null);
                case SHARED -> shared(c, tenant);
            };
        } catch (SQLException e) {
            throw new StorageException("Could not measure the storage of tenant '" + id + "': " + e.getMessage(), e);
        }
    }

    private long shared(Connection c, Tenant tenant) throws SQLException {
        long bytes = 0;
        for (SharedTable table : sharedTables) {
            String name = quote(table.table());
            long rows = single(
                    c,
                    "SELECT count(*) FROM " + name + " WHERE " + ident(table.tenantColumn()) + " = ?",
                    tenant.id().value());
            if (rows == 0) {
                continue;
            }
            long total = single(c, "SELECT pg_catalog.pg_total_relation_size(?::regclass)", table.table());
            long all = Math.max(rows, single(c, "SELECT count(*) FROM " + name, null));
            bytes += total * rows / all;
        }
        return bytes;
    }

    private static String quote(String table) {
        int dot = table.indexOf('.');
        return dot < 0 ? ident(table) : ident(table.substring(0, dot)) + "." + ident(table.substring(dot + 1));
    }

    private static String ident(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    private static long single(Connection c, String sql, String parameter) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            if (parameter != null) {
                s.setString(1, parameter);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Builds {@link TenantSizes}: a catalog and the routing data source are required. */
    public static final class Builder {
        private TenantCatalog catalog;
        private TenantDataSource dataSource;
        private final List<SharedTable> sharedTables = new ArrayList<>();

        private Builder() {}

        public Builder catalog(TenantCatalog catalog) {
            this.catalog = Objects.requireNonNull(catalog, "catalog");
            return this;
        }

        public Builder dataSource(TenantDataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** A table shared tenants' rows live in, with its tenant column: what a shared tenant's estimate sums. */
        public Builder sharedTable(SharedTable table) {
            this.sharedTables.add(Objects.requireNonNull(table, "table"));
            return this;
        }

        public TenantSizes build() {
            return new TenantSizes(this);
        }
    }
}
