package dev.tenancy.billing;

import dev.tenancy.audit.AuditEntry;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.JdbcAuditLog;
import dev.tenancy.internal.ControlPlaneSchema;
import dev.tenancy.internal.Jdbc;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The billing tables in the platform database, installed once per data source, and changes that
 * commit together with their audit events when the audit log lives in the same database (else the
 * events are appended right after the commit).
 */
final class BillingDatabase {
    final DataSource dataSource;
    final boolean postgres;
    private final AuditLog audit;
    private final JdbcAuditLog sameDatabaseAudit;

    BillingDatabase(DataSource dataSource, AuditLog audit) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.audit = Objects.requireNonNull(audit, "auditLog: every billing change is audited; pass one");
        this.sameDatabaseAudit = audit instanceof JdbcAuditLog jdbc && jdbc.dataSource() == dataSource ? jdbc : null;
        install(dataSource);
        this.postgres = Jdbc.isPostgres(dataSource);
    }

    /** Installs (or upgrades) the billing tables in {@code dataSource}'s database; once per data source. */
    static void install(DataSource dataSource) {
        ControlPlaneSchema.install(
                dataSource,
                BillingDatabase.class.getClassLoader(),
                "dev/tenancy/db/billing",
                "tenancy_billing_schema_history");
    }

    /** Work in one transaction that also collects the audit entries to write with it. */
    @FunctionalInterface
    interface Change<T> {
        T apply(Connection connection, List<AuditEntry> audit) throws SQLException;
    }

    <T> T change(String what, Change<T> change) {
        List<AuditEntry> entries = new ArrayList<>();
        T result = Jdbc.inTransaction(dataSource, what, c -> {
            entries.clear();
            T r = change.apply(c, entries);
            if (sameDatabaseAudit != null) {
                for (AuditEntry e : entries) {
                    sameDatabaseAudit.append(c, e);
                }
            }
            return r;
        });
        if (sameDatabaseAudit == null) {
            entries.forEach(audit::append);
        }
        return result;
    }

    <T> T read(String what, Jdbc.TransactionWork<T> work) {
        return Jdbc.read(dataSource, what, work);
    }

    static String requireReason(String reason, String what) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException(what + " needs a reason: say why, for the audit log");
        }
        return reason.strip();
    }
}
