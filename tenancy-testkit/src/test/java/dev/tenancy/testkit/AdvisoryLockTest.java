package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenancy.jdbc.BindingKey;
import dev.tenancy.jdbc.RowLevelSecurity;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A tenant's session cannot stall the owner's row-level security changes by taking their advisory
 * lock first: with a binding key the lock's key is derived from the secret, so the well-known key
 * a tenant can compute is not the one the owner waits for (PostgreSQL).
 */
class AdvisoryLockTest {
    private static final BindingKey KEY = BindingKey.of("0123456789abcdef0123456789abcdef".getBytes());

    private TestDatabase database;
    private String app;

    @BeforeEach
    void setUp() {
        database = TestDatabase.postgres();
        app = database.applicationRole();
        database.execute("CREATE TABLE notes (tenant_id VARCHAR(48) NOT NULL, body TEXT)");
        database.execute("CREATE INDEX ON notes (tenant_id)");
    }

    @AfterEach
    void tearDown() {
        database.close();
    }

    @Test
    void aTenantHoldingTheWellKnownLockKeys_doesNotBlockSignedPolicies() throws Exception {
        try (Connection tenant = DriverManager.getConnection(database.jdbcUrl(), app, "");
                Statement s = tenant.createStatement()) {
            // Every key an attacker can compute from the library's source: the class and the objects' hashes.
            s.execute("SELECT pg_advisory_lock(1952804449, 0), pg_advisory_lock(1952804449, hashtext('notes')),"
                    + " pg_advisory_lock(1952804449, hashtext('public.notes'))");
            CompletableFuture<Void> applied = CompletableFuture.runAsync(() -> {
                try (Connection owner = database.dataSource().getConnection()) {
                    RowLevelSecurity.on("notes").signedBy(KEY).apply(owner);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            applied.get(20, TimeUnit.SECONDS);
            assertThat(applied).isCompleted();
        }
    }
}
