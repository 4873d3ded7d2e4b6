package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.StorageException;
import dev.tenancy.TenantStatus;
import dev.tenancy.audit.JdbcAuditLog;
import dev.tenancy.catalog.JdbcTenantCatalog;
import dev.tenancy.catalog.TenantCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link TenantCatalogContract} for {@link JdbcTenantCatalog} on one database, plus what only a
 * database can show: installation is idempotent, and a change and its audit event commit together.
 */
public abstract class JdbcTenantCatalogContract extends TenantCatalogContract {

    /** The database engine to run on. */
    protected abstract TestDatabase.Kind kind();

    protected TestDatabase database;

    @Override
    protected Subject newCatalog(MutableClock clock) {
        database = TestDatabase.of(kind());
        JdbcAuditLog audit =
                JdbcAuditLog.builder(database.dataSource()).clock(clock).build();
        TenantCatalog catalog = JdbcTenantCatalog.builder(database.dataSource())
                .auditLog(audit)
                .clock(clock)
                .build();
        return new Subject(catalog, audit);
    }

    @AfterEach
    void dropDatabase() {
        if (database != null) {
            database.close();
        }
    }

    @Test
    @DisplayName("installing the tables again (a second node starting) changes nothing")
    void install_twice_isIdempotent() {
        register("acme", "Acme");
        TenantCatalog second = JdbcTenantCatalog.builder(database.dataSource())
                .auditLog(JdbcAuditLog.builder(database.dataSource()).build())
                .build();
        assertThat(second.require(ACME).displayName()).isEqualTo("Acme");
    }

    @Test
    @DisplayName("a change whose audit event cannot be written is rolled back")
    void transition_auditFails_changesNothing() {
        register("acme", "Acme");
        database.execute("DROP TABLE tenancy.tenancy_audit_head");
        assertThatThrownBy(() -> catalog.transition(ACME, TenantStatus.ACTIVE, ADMIN, "approve"))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("move tenant 'acme' to active");
        assertThat(catalog.require(ACME).status()).isEqualTo(TenantStatus.PENDING_APPROVAL);
    }
}
