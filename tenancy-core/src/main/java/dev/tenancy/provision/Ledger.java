package dev.tenancy.provision;

import dev.tenancy.TenantId;
import dev.tenancy.internal.ControlPlaneSchema;
import dev.tenancy.internal.Jdbc;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The provisioning and migration ledgers in the platform database ({@code tenancy.tenancy_provisioning},
 * {@code tenancy.tenancy_tenant_migrations}).
 */
final class Ledger {
    static final String CURRENT = "current";
    static final String FAILED = "failed";

    private final DataSource platform;
    private final InstantSource clock;

    Ledger(DataSource platform, InstantSource clock) {
        this.platform = platform;
        this.clock = clock;
        ControlPlaneSchema.install(platform);
    }

    /** The last step provisioning completed for {@code tenant}, or {@code null}. */
    ProvisioningStep completed(TenantId tenant) {
        return Jdbc.read(platform, "read the provisioning ledger of '" + tenant + "'", c -> {
            try (PreparedStatement s =
                    c.prepareStatement("SELECT completed FROM tenancy.tenancy_provisioning WHERE tenant_id = ?")) {
                s.setString(1, tenant.value());
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() && rs.getString(1) != null ? ProvisioningStep.valueOf(rs.getString(1)) : null;
                }
            }
        });
    }

    /** Takes the tenant's provisioning lease for {@code owner}, or fails naming who holds it. */
    void acquire(TenantId tenant, String owner, Duration lease) {
        Instant now = clock.instant();
        insertIfAbsent(
                "INSERT INTO tenancy.tenancy_provisioning (tenant_id, updated_at) VALUES (?, ?)",
                "SELECT COUNT(*) FROM tenancy.tenancy_provisioning WHERE tenant_id = ?",
                tenant,
                now);
        Jdbc.inTransaction(platform, "take the provisioning lease of '" + tenant + "'", c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE tenancy.tenancy_provisioning SET lease_owner = ?,"
                    + " lease_until = ?, updated_at = ? WHERE tenant_id = ?"
                    + " AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < ?)")) {
                s.setString(1, owner);
                s.setObject(2, Jdbc.utc(now.plus(lease)));
                s.setObject(3, Jdbc.utc(now));
                s.setString(4, tenant.value());
                s.setString(5, owner);
                s.setObject(6, Jdbc.utc(now));
                if (s.executeUpdate() == 1) {
                    return null;
                }
            }
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT lease_owner, lease_until FROM tenancy.tenancy_provisioning WHERE tenant_id = ?")) {
                s.setString(1, tenant.value());
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    throw new ProvisioningInProgressException(tenant, rs.getString(1), Jdbc.instant(rs, "lease_until"));
                }
            }
        });
    }

    /** Records {@code step} as completed; fails if {@code owner} lost the lease meanwhile. */
    void complete(TenantId tenant, ProvisioningStep step, String owner) {
        Jdbc.inTransaction(platform, "record step " + step + " of '" + tenant + "'", c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE tenancy.tenancy_provisioning SET completed = ?,"
                    + " last_error = NULL, updated_at = ? WHERE tenant_id = ? AND lease_owner = ?")) {
                s.setString(1, step.name());
                s.setObject(2, Jdbc.utc(clock.instant()));
                s.setString(3, tenant.value());
                s.setString(4, owner);
                if (s.executeUpdate() != 1) {
                    throw new IllegalStateException("Provisioning of '" + tenant + "' lost its lease before recording "
                            + step + "; another provisioner took over");
                }
            }
            return null;
        });
    }

    /** Records the error and gives the lease back. */
    void release(TenantId tenant, String owner, String error) {
        Jdbc.inTransaction(platform, "release the provisioning lease of '" + tenant + "'", c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE tenancy.tenancy_provisioning SET lease_owner = NULL,"
                    + " lease_until = NULL, last_error = ?, updated_at = ? WHERE tenant_id = ? AND lease_owner = ?")) {
                s.setString(1, truncate(error));
                s.setObject(2, Jdbc.utc(clock.instant()));
                s.setString(3, tenant.value());
                s.setString(4, owner);
                s.executeUpdate();
            }
            return null;
        });
    }

    /** The last error provisioning recorded for {@code tenant}, or {@code null}. */
    String lastError(TenantId tenant) {
        return Jdbc.read(platform, "read the provisioning ledger of '" + tenant + "'", c -> {
            try (PreparedStatement s =
                    c.prepareStatement("SELECT last_error FROM tenancy.tenancy_provisioning WHERE tenant_id = ?")) {
                s.setString(1, tenant.value());
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }

    /** Records that {@code tenant}'s storage is at {@code version} ({@link #CURRENT}) or failed to reach it. */
    void recordMigration(TenantId tenant, String version, String state, String error) {
        Instant now = clock.instant();
        insertIfAbsent(
                "INSERT INTO tenancy.tenancy_tenant_migrations (tenant_id, state, updated_at) VALUES (?, 'new', ?)",
                "SELECT COUNT(*) FROM tenancy.tenancy_tenant_migrations WHERE tenant_id = ?",
                tenant,
                now);
        Jdbc.inTransaction(platform, "record the migration of '" + tenant + "'", c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE tenancy.tenancy_tenant_migrations SET version = ?,"
                    + " state = ?, error = ?, updated_at = ? WHERE tenant_id = ?")) {
                s.setString(1, version);
                s.setString(2, state);
                s.setString(3, truncate(error));
                s.setObject(4, Jdbc.utc(now));
                s.setString(5, tenant.value());
                s.executeUpdate();
            }
            return null;
        });
    }

    /** The tenants recorded as current at {@code version}: one query, however large the fleet. */
    Set<TenantId> currentAt(String version) {
        return Jdbc.read(platform, "read the migration ledger", c -> {
            Set<TenantId> current = new HashSet<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT tenant_id FROM tenancy.tenancy_tenant_migrations WHERE version = ? AND state = ?")) {
                s.setString(1, version);
                s.setString(2, CURRENT);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        current.add(TenantId.of(rs.getString(1)));
                    }
                }
            }
            return current;
        });
    }

    /** Forgets a purged tenant. */
    void forget(TenantId tenant) {
        Jdbc.inTransaction(platform, "forget the ledgers of '" + tenant + "'", c -> {
            for (String table : new String[] {"tenancy.tenancy_provisioning", "tenancy.tenancy_tenant_migrations"}) {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE tenant_id = ?")) {
                    s.setString(1, tenant.value());
                    s.executeUpdate();
                }
            }
            return null;
        });
    }

    /** Inserts the tenant's row unless it exists, in autocommit (a lost race aborts nothing). */
    private void insertIfAbsent(String insert, String count, TenantId tenant, Instant now) {
        Jdbc.read(platform, "create the ledger row of '" + tenant + "'", c -> {
            try (PreparedStatement s = c.prepareStatement(count)) {
                s.setString(1, tenant.value());
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return null;
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement(insert)) {
                s.setString(1, tenant.value());
                s.setObject(2, Jdbc.utc(now));
                s.executeUpdate();
            } catch (SQLException e) {
                if (!Jdbc.isUniqueViolation(e)) {
                    throw e; // else inserted concurrently: the row is there, which is all we need
                }
            }
            return null;
        });
    }

    private static String truncate(String error) {
        return error == null || error.length() <= 2000 ? error : error.substring(0, 1997) + "...";
    }
}
