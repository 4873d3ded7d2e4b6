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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Invitations in {@code tenancy.tenancy_invitations}; each change is one transaction. */
final class JdbcInvitationStore implements InvitationStore {
    private static final String COLUMNS = "id, tenant_id, email, role, invited_by_id, invited_by_role, created_at,"
            + " expires_at, status, decided_at, decided_by";
    private static final String SELECT = "SELECT " + COLUMNS + " FROM tenancy.tenancy_invitations";

    private final AuditedTransactions transactions;
    private final DataSource dataSource;

    JdbcInvitationStore(DataSource dataSource, AuditLog audit) {
        this.transactions = new AuditedTransactions(dataSource, audit);
        this.dataSource = dataSource;
    }

    @Override
    public <T> T atomically(String what, Work<T> work) {
        return transactions.run(
                what,
                (c, auditor) -> work.apply(new Changes() {
                    @Override
                    public Optional<Invitation> lock(String id) throws SQLException {
                        return one(c, SELECT + " WHERE id = ? FOR UPDATE", id);
                    }

                    @Override
                    public Optional<Invitation> lockByToken(String tokenHash) throws SQLException {
                        return one(c, SELECT + " WHERE token_hash = ? FOR UPDATE", tokenHash);
                    }

                    @Override
                    public Optional<Invitation> lockPending(TenantId tenant, String email) throws SQLException {
                        try (PreparedStatement s =
                                c.prepareStatement(SELECT + " WHERE tenant_id = ? AND open_email = ? FOR UPDATE")) {
                            s.setString(1, tenant.value());
                            s.setString(2, email);
                            List<Invitation> found = all(s);
                            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
                        }
                    }

                    @Override
                    public void insert(Invitation x, String tokenHash) throws SQLException {
                        try (PreparedStatement s = c.prepareStatement(
                                "INSERT INTO tenancy.tenancy_invitations (" + COLUMNS
                                        + ", token_hash, open_email) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?)")) {
                            s.setString(1, x.id());
                            s.setString(2, x.tenant().value());
                            s.setString(3, x.email());
                            s.setString(4, x.role());
                            s.setString(5, x.invitedBy().id());
                            s.setString(6, x.invitedBy().role());
                            s.setObject(7, Jdbc.utc(x.createdAt()));
                            s.setObject(8, Jdbc.utc(x.expiresAt()));
                            s.setString(9, x.status().key());
                            s.setString(10, tokenHash);
                            s.setString(11, x.email());
                            s.executeUpdate();
                        }
                    }

                    @Override
                    public void update(Invitation x, String tokenHash) throws SQLException {
                        try (PreparedStatement s = c.prepareStatement(
                                "UPDATE tenancy.tenancy_invitations SET invited_by_id = ?,"
                                        + " invited_by_role = ?, created_at = ?, expires_at = ?, status = ?, decided_at = ?,"
                                        + " decided_by = ?, open_email = ?, token_hash = COALESCE(?, token_hash) WHERE id = ?")) {
                            s.setString(1, x.invitedBy().id());
                            s.setString(2, x.invitedBy().role());
                            s.setObject(3, Jdbc.utc(x.createdAt()));
                            s.setObject(4, Jdbc.utc(x.expiresAt()));
                            s.setString(5, x.status().key());
                            s.setObject(6, x.decidedAt() == null ? null : Jdbc.utc(x.decidedAt()));
                            s.setString(7, x.decidedBy());
                            s.setString(8, x.status() == Invitation.Status.PENDING ? x.email() : null);
                            s.setString(9, tokenHash);
                            s.setString(10, x.id());
                            s.executeUpdate();
                        }
                    }

                    @Override
                    public List<java.time.Instant> sentAfter(TenantId tenant, java.time.Instant since)
                            throws SQLException {
                        try (PreparedStatement s =
                                c.prepareStatement("SELECT created_at FROM tenancy.tenancy_invitations"
                                        + " WHERE tenant_id = ? AND created_at > ? ORDER BY created_at")) {
                            s.setString(1, tenant.value());
                            s.setObject(2, Jdbc.utc(since));
                            List<java.time.Instant> sent = new java.util.ArrayList<>();
                            try (java.sql.ResultSet rs = s.executeQuery()) {
                                while (rs.next()) {
                                    sent.add(Jdbc.instant(rs, "created_at"));
                                }
                            }
                            return sent;
                        }
                    }

                    @Override
                    public int deleteAll(TenantId tenant) throws SQLException {
                        try (PreparedStatement s =
                                c.prepareStatement("DELETE FROM tenancy.tenancy_invitations WHERE tenant_id = ?")) {
                            s.setString(1, tenant.value());
                            return s.executeUpdate();
                        }
                    }

                    @Override
                    public void audit(AuditEntry entry) throws SQLException {
                        auditor.audit(entry);
                    }
                }));
    }

    @Override
    public Optional<Invitation> find(String id) {
        return Jdbc.read(dataSource, "read invitation " + id, c -> one(c, SELECT + " WHERE id = ?", id));
    }

    @Override
    public List<Invitation> ofTenant(TenantId tenant, int limit) {
        return Jdbc.read(dataSource, "list invitations of tenant '" + tenant + "'", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    SELECT + " WHERE tenant_id = ? ORDER BY created_at DESC, id FETCH FIRST " + limit + " ROWS ONLY")) {
                s.setString(1, tenant.value());
                return all(s);
            }
        });
    }

    private static Optional<Invitation> one(Connection c, String sql, String key) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, key);
            List<Invitation> found = all(s);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    private static List<Invitation> all(PreparedStatement s) throws SQLException {
        List<Invitation> found = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                found.add(new Invitation(
                        rs.getString("id"),
                        TenantId.of(rs.getString("tenant_id")),
                        rs.getString("email"),
                        rs.getString("role"),
                        new Actor(rs.getString("invited_by_id"), rs.getString("invited_by_role")),
                        Jdbc.instant(rs, "created_at"),
                        Jdbc.instant(rs, "expires_at"),
                        Invitation.Status.ofKey(rs.getString("status")),
                        Jdbc.instant(rs, "decided_at"),
                        rs.getString("decided_by")));
            }
        }
        return found;
    }
}
