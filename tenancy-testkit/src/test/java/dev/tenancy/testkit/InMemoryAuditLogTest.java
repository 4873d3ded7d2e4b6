package dev.tenancy.testkit;

import dev.tenancy.audit.AuditLog;

class InMemoryAuditLogTest extends AuditLogContract {
    @Override
    protected AuditLog newAuditLog(MutableClock clock) {
        return AuditLog.inMemory(clock);
    }
}
