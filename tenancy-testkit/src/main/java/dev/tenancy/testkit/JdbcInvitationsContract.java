package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenancy.access.Invitation;
import dev.tenancy.access.Invitations;
import dev.tenancy.access.IssuedInvitation;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.JdbcAuditLog;
import dev.tenancy.catalog.TenantCatalog;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link InvitationsContract} with invitations and the audit log in one database, plus what only a
 * database shows: invitations survive a restart, and the table holds no token.
 */
public abstract class JdbcInvitationsContract extends InvitationsContract {

    /** The database engine to run on. */
    protected abstract TestDatabase.Kind kind();

    private TestDatabase database;

    @Override
    protected AuditLog newAuditLog(MutableClock clock) {
        database = TestDatabase.of(kind());
        return JdbcAuditLog.builder(database.dataSource()).clock(clock).build();
    }

    @Override
    protected Invitations newInvitations(TenantCatalog catalog, AuditLog audit, MutableClock clock) {
        return Invitations.builder()
                .catalog(catalog)
                .auditLog(audit)
                .dataSource(database.dataSource())
                .clock(clock)
                .validity(Duration.ofDays(7))
                .build();
    }

    @AfterEach
    void dropDatabase() {
        if (database != null) {
            database.close();
        }
    }

    @Test
    void invitations_surviveARestart_andTheTableHoldsOnlyTheTokensHash() throws Exception {
        IssuedInvitation sent = invitations.invite(ACME, "jane@acme.com", "accountant", OWNER);
        Invitations restarted = newInvitations(catalog, audit, clock);

        assertThat(restarted.find(sent.invitation().id())).contains(sent.invitation());
        assertThat(restarted.accept(sent.token(), "user-1").status()).isEqualTo(Invitation.Status.ACCEPTED);
        try (Connection c = database.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT * FROM tenancy.tenancy_invitations")) {
            while (rs.next()) {
                for (int column = 1; column <= rs.getMetaData().getColumnCount(); column++) {
                    assertThat(String.valueOf(rs.getObject(column))).doesNotContain(sent.token());
                }
            }
        }
    }
}
