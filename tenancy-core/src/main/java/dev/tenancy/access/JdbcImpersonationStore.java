package dev.tenancy.access;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditEntry;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.internal.AuditedTransactions;
import dev.tenancy.internal.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Sessions in {@code tenancy.tenancy_impersonations}; each change is one transaction. */
final class JdbcImpersonationStore implements ImpersonationStore {
    private static final String COLUMNS = "id, tenant_id, impersonator_id, impersonator_role, user_id, user_role, mode,"
            + " reason, consent_source, consent_reference, started_at, expires_at, ended_at, ended_by";
    private static final String SELECT = "SELECT " + COLUMNS + " FROM tenancy.tenancy_impersonations";

    private final AuditedTransactions transactions;
    private final DataSource dataSource;

    JdbcImpersonationStore(DataSource dataSource, AuditLog audit) {
        this.transactions = new AuditedTransactions(dataSource, audit);
        this.dataSource = dataSource;
    }

    @Override
    public <T> T atomically(String what, Work<T> work) {
        return transactions.run(
                what,
                (c, auditor) -> work.apply(new Changes() {
                    @Override
                    public Optional<Impersonation> lock(String id) throws SQLException {
                        return one(c, SELECT + " WHERE id = ? FOR UPDATE", id);
                    }

                    @Override
                    public Optional<Impersonation> openOf(String actorId) throws SQLException {
                        return one(c, SELECT + " WHERE active_actor = ? FOR UPDATE", actorId);
                    }

                    @Override
                    public List<Impersonation> expiredBy(Instant now) throws SQLException {
                        try (PreparedStatement s = c.prepareStatement(
                                SELECT
                                        + " WHERE active_actor IS NOT NULL AND expires_at <= ? ORDER BY started_at FOR UPDATE")) {
                            s.setObject(1, Jdbc.utc(now));
                            return all(s);
                        }
                    }

                    @Override
                    public void insert(Impersonation x) throws SQLException {
                        try (PreparedStatement s = c.prepareStatement(
                                "INSERT INTO tenancy.tenancy_impersonations (" + COLUMNS
                                        + ", active_actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)")) {
                            s.setString(1, x.id());
                            s.setString(2, x.tenant().value());
                            s.setString(3, x.impersonator().id());
                            s.setString(4, x.impersonator().role());
                            s.setString(5, x.user());
                            s.setString(6, x.userRole());
                            s.setString(7, x.mode().key());
                            s.setString(8, x.reason());
                            s.setString(9, x.consentSource().key());
                            s.setString(10, x.consentReference());
                            s.setObject(11, Jdbc.utc(x.startedAt()));
                            s.setObject(12, Jdbc.utc(x.expiresAt()));
                            s.setString(13, x.impersonator().id());
                            s.executeUpdate();
                        }
                    }

                    @Override
                    public void end(Impersonation ended) throws SQLException {
                        try (PreparedStatement s = c.prepareStatement("UPDATE tenancy.tenancy_impersonations"
                                + " SET ended_at = ?, ended_by = ?, active_actor = NULL WHERE id = ?")) {
                            s.setObject(1, Jdbc.utc(ended.endedAt()));
                            s.setString(2, ended.endedBy());
                            s.setString(3, ended.id());
                            s.executeUpdate();
                        }
                    }

                    @Override
                    public void audit(AuditEntry entry) throws SQLException {
                        auditor.audit(entry);
                    }
                }));
    }

    @Override
    public Optional<Impersonation> find(String id) {
        return Jdbc.read(dataSource, "read impersonation " + id, c -> one(c, SELECT + " WHERE id = ?", id));
    }

    @Override
    public List<Impersonation> open() {
        return Jdbc.read(dataSource, "list open impersonations", c -> {
            try (PreparedStatement s =
                    c.prepareStatement(SELECT + " WHERE active_actor IS NOT NULL ORDER BY started_at")) {
                return all(s);
            }
        });
    }

    @Override
    public List<Impersonation> ofTenant(TenantId tenant, int limit) {
        return Jdbc.read(dataSource, "list impersonations of tenant '" + tenant + "'", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    SELECT + " WHERE tenant_id = ? ORDER BY started_at DESC, id FETCH FIRST " + limit + " ROWS ONLY")) {
                s.setString(1, tenant.value());
                return all(s);
            }
        });
    }

    private static Optional<Impersonation> one(Connection c, String sql, String key) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, key);
            List<Impersonation> found = all(s);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    private static List<Impersonation> all(PreparedStatement s) throws SQLException {
        List<Impersonation> found = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                found.add(new Impersonation(
                        rs.getString("id"),
                        Actor.user(rs.getString("impersonator_id"), rs.getString("impersonator_role")),
                        TenantId.of(rs.getString("tenant_id")),
                        rs.getString("user_id"),
                        rs.getString("user_role"),
                        ImpersonationMode.ofKey(rs.getString("mode")),
                        rs.getString("reason"),
                        ConsentSource.ofKey(rs.getString("consent_source")),
                        rs.getString("consent_reference"),
                        Jdbc.instant(rs, "started_at"),
                        Jdbc.instant(rs, "expires_at"),
                        Jdbc.instant(rs, "ended_at"),
                        rs.getString("ended_by")));
            }
        }
        return found;
    }
}
