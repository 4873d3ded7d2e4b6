package dev.tenancy.flags;

import dev.tenancy.audit.JdbcAuditLog;
import dev.tenancy.testkit.TestDatabase;
import org.junit.jupiter.api.AfterEach;

class PostgresFlagStoreTest extends FlagStoreContract {
    private TestDatabase database;

    @Override
    protected FlagStore store(AuditLogHolder audit) {
        database = TestDatabase.of(TestDatabase.Kind.POSTGRESQL);
        audit.log = JdbcAuditLog.builder(database.dataSource()).build();
        return JdbcFlagStore.builder(database.dataSource()).auditLog(audit.log).build();
    }

    @AfterEach
    void tearDown() {
        database.close();
    }
}
