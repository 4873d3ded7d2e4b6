package dev.tenancy.flags;

import dev.tenancy.audit.AuditLog;

class InMemoryFlagStoreTest extends FlagStoreContract {
    @Override
    protected FlagStore store(AuditLogHolder audit) {
        audit.log = AuditLog.inMemory();
        return FlagStore.inMemory(audit.log);
    }
}
