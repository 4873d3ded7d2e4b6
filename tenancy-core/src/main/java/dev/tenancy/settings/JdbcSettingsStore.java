package dev.tenancy.settings;

import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditEntry;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.internal.AuditedTransactions;
import dev.tenancy.internal.Jdbc;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Sections in {@code tenancy.tenancy_tenant_settings}, one row per tenant and section; each write is one
 * transaction with its audit event (when the audit log is in the same database) and, on
 * PostgreSQL, a notification on {@value #CHANNEL} (with its secret suffix) carrying the tenant's id.
 */
final class JdbcSettingsStore implements SettingsStore {
    static final String CHANNEL = "tenancy_settings";

    private final DataSource dataSource;
    private final AuditedTransactions transactions;
    private final boolean postgres;

    JdbcSettingsStore(DataSource dataSource, AuditLog audit) {
        this.dataSource = dataSource;
        this.transactions = new AuditedTransactions(dataSource, audit);
        this.postgres = Jdbc.isPostgres(dataSource);
    }

    boolean postgres() {
        return postgres;
    }

    @Override
    public Optional<String> read(TenantId tenant, String section) {
        return Jdbc.read(dataSource, "read the " + section + " settings of '" + tenant + "'", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT settings FROM tenancy.tenancy_tenant_settings WHERE tenant_id = ? AND section = ?")) {
                s.setString(1, tenant.value());
                s.setString(2, section);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    @Override
    public Map<String, String> readAll(TenantId tenant) {
        return Jdbc.read(dataSource, "read the settings of '" + tenant + "'", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT section, settings FROM tenancy.tenancy_tenant_settings WHERE tenant_id = ? ORDER BY section")) {
                s.setString(1, tenant.value());
                Map<String, String> all = new LinkedHashMap<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        all.put(rs.getString(1), rs.getString(2));
                    }
                }
                return all;
            }
        });
    }

    @Override
    public int deleteAll(TenantId tenant, AuditEntry event) {
        return transactions.run("forget the settings of '" + tenant + "'", (c, auditor) -> {
            int deleted;
            try (PreparedStatement s =
                    c.prepareStatement("DELETE FROM tenancy.tenancy_tenant_settings WHERE tenant_id = ?")) {
                s.setString(1, tenant.value());
                deleted = s.executeUpdate();
            }
            if (deleted > 0) {
                auditor.audit(event);
                notify(c, tenant);
            }
            return deleted;
        });
    }

    private void notify(java.sql.Connection c, TenantId tenant) throws java.sql.SQLException {
        if (postgres) { // delivered at commit, to every node listening
            try (PreparedStatement s = c.prepareStatement("SELECT pg_notify(?, ?)")) {
                s.setString(1, dev.tenancy.internal.Channels.name(dataSource, CHANNEL));
                s.setString(2, tenant.value());
                s.execute();
            }
        }
    }

    @Override
    public void write(TenantId tenant, String section, String json, AuditEntry event) {
        transactions.run("write the " + section + " settings of '" + tenant + "'", (c, auditor) -> {
            try (PreparedStatement s = c.prepareStatement(
                    "DELETE FROM tenancy.tenancy_tenant_settings WHERE tenant_id = ? AND section = ?")) {
                s.setString(1, tenant.value());
                s.setString(2, section);
                s.executeUpdate();
            }
            if (json != null) {
                try (PreparedStatement s = c.prepareStatement("INSERT INTO tenancy.tenancy_tenant_settings"
                        + " (tenant_id, section, settings, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)")) {
                    s.setString(1, tenant.value());
                    s.setString(2, section);
                    s.setString(3, json);
                    s.setObject(4, Jdbc.utc(Instant.now()));
                    s.setString(5, event.actor().id());
                    s.executeUpdate();
                }
            }
            auditor.audit(event);
            notify(c, tenant);
            return null;
        });
    }
}
