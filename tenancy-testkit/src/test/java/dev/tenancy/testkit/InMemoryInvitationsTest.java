package dev.tenancy.testkit;

import dev.tenancy.access.Invitations;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;

class InMemoryInvitationsTest extends InvitationsContract {
    @Override
    protected Invitations newInvitations(TenantCatalog catalog, AuditLog audit, MutableClock clock) {
        return Invitations.builder()
                .catalog(catalog)
                .auditLog(audit)
                .clock(clock)
                .build();
    }
}
