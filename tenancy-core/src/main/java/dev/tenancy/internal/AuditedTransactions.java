package dev.tenancy.internal;

import dev.tenancy.audit.AuditEntry;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.JdbcAuditLog;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Transactions on the platform database whose audit events commit with them: in the same
 * transaction when the audit log is a {@link JdbcAuditLog} on the same data source, else appended
 * right after the commit. What the control plane's JDBC stores build their changes on. Internal;
 * not API.
 */
public final class AuditedTransactions {
    private final DataSource dataSource;
    private final AuditLog audit;
    private final JdbcAuditLog sameDatabaseAudit;

    public AuditedTransactions(DataSource dataSource, AuditLog audit) {
        this.dataSource = dataSource;
        this.audit = audit;
        this.sameDatabaseAudit = audit instanceof JdbcAuditLog jdbc && jdbc.dataSource() == dataSource ? jdbc : null;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** Where a change records its audit events. */
    @FunctionalInterface
    public interface Auditor {
        void audit(AuditEntry entry) throws SQLException;
    }

    /** One change: its SQL on {@code connection}, its events through {@code auditor}. */
    @FunctionalInterface
    public interface Change<T> {
        T apply(Connection connection, Auditor auditor) throws SQLException;
    }

    /** Runs {@code change} in one transaction; its audit events commit with it (or right after). */
    public <T> T run(String what, Change<T> change) {
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
