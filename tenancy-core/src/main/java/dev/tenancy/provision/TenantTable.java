package dev.tenancy.provision;

import dev.tenancy.IsolationModel;
import dev.tenancy.Tenant;
import dev.tenancy.jdbc.RowLevelSecurity;
import dev.tenancy.jdbc.TenantStorage;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One table holding a tenant's data, as offboarding exports it and a move copies it: every table of
 * a schema or database tenant but Tenancy's own bookkeeping, or a shared table (then only the
 * tenant's rows, by its tenant column).
 *
 * @param name the table's name as the database reports it
 * @param schema the schema it is in
 * @param shared the shared table it is, or {@code null} for a table of the tenant's own
 */
record TenantTable(String name, String schema, SharedTable shared) {

    /**
     * Tables in a tenant's storage that are bookkeeping, not the tenant's data: never exported or
     * copied (a database tenant's own database holds the binding machinery of signed bindings, its
     * key among them).
     */
    private static final Set<String> NOT_TENANT_DATA = Set.of(
            TenantStorage.MIGRATION_HISTORY,
            TenantStorage.SEED_MARKER,
            RowLevelSecurity.KEY_TABLE,
            RowLevelSecurity.SESSIONS_TABLE,
            RowLevelSecurity.NONCES_TABLE);

    /** The tenant's tables in {@code c} (a connection from {@code storage.connect(tenant)}). */
    static List<TenantTable> of(Connection c, TenantStorage storage, Tenant tenant, List<SharedTable> shared)
            throws SQLException {
        List<TenantTable> tables = new ArrayList<>();
        String schema = storage.schema(tenant);
        if (tenant.isolation() == IsolationModel.SHARED) {
            for (SharedTable t : shared) {
                tables.add(new TenantTable(t.table(), schema, t));
            }
            return tables;
        }
        DatabaseMetaData meta = c.getMetaData();
        try (ResultSet rs = meta.getTables(c.getCatalog(), schema, "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                String name = rs.getString("TABLE_NAME");
                if (!NOT_TENANT_DATA.contains(name.toLowerCase(Locale.ROOT))) {
                    tables.add(new TenantTable(name, schema, null));
                }
            }
        }
        return tables;
    }

    /** The table, schema-qualified and quoted for a tenant's own table; as configured for a shared one. */
    String qualified() {
        return shared != null ? shared.table() : quote(schema) + "." + quote(name);
    }

    /** Selects the tenant's rows; a shared table's take the tenant id as parameter 1. */
    String select() {
        return "SELECT * FROM " + qualified() + (shared == null ? "" : " WHERE " + shared.tenantColumn() + " = ?");
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
