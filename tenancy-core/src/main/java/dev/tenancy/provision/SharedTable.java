package dev.tenancy.provision;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A table of the shared model: every tenant's rows in one table, told apart by {@code tenantColumn}.
 * Offboarding exports and deletes a shared-model tenant's rows from each such table.
 */
public record SharedTable(String table, String tenantColumn) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    public SharedTable {
        requireName("table", table);
        requireName("tenant column", tenantColumn);
    }

    public static SharedTable of(String table, String tenantColumn) {
        return new SharedTable(table, tenantColumn);
    }

    private static void requireName(String what, String name) {
        Objects.requireNonNull(name, what);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Invalid shared " + what + " name '" + name
                    + "': use a plain SQL identifier of letters, digits and '_', like orders or tenant_id");
        }
    }
}
