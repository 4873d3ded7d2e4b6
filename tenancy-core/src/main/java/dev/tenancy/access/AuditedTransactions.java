package dev.tenancy.access;

import dev.tenancy.audit.AuditEntry;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.JdbcAuditLog;
import dev.tenancy.internal.Jdbc;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Transactions on the platform database whose audit events commit with them: in the same
 * transaction when the audit log is a {@link JdbcAuditLog} on the same data source, else appended
 * right after the commit. What the JDBC stores of this package build their changes on.
 */
final class AuditedTransactions {
    private final DataSource dataSource;
    private final AuditLog audit;
    private final JdbcAuditLog sameDatabaseAudit;

    AuditedTransactions(DataSource dataSource, AuditLog audit) {
        this.dataSource = dataSource;
        this.audit = audit;
        this.sameDatabaseAudit = audit instanceof JdbcAuditLog jdbc && jdbc.dataSource() == dataSource ? jdbc : null;
    }

    DataSource dataSource() {
        return dataSource;
    }

    /** Where a change records its audit events. */
    @FunctionalInterface
    interface Auditor {
        void audit(AuditEntry entry) throws SQLException;
    }

    /** One change: its SQL on {@code connection}, its events through {@code auditor}. */
    @FunctionalInterface
    interface Change<T> {
        T apply(Connection connection, Auditor auditor) throws SQLException;
    }

    <T> T run(String what, Change<T> change) {
        List<AuditEntry> afterCommit = new ArrayList<>();
        T result = Jdbc.inTransaction(
                dataSource,
                what,
                c -> change.apply(c, entry -> {
                    if (sameDatabaseAudit != null) {
                        sameDatabaseAudit.append(c, entry);
                    } else {
                        afterCommit.add(entry);
                    }
                }));
        afterCommit.forEach(audit::append);
        return result;
    }
}
