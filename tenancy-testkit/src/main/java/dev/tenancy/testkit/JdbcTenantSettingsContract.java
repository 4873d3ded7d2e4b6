package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.JdbcAuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.settings.TenantSettings;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TenantSettingsContract} with settings and the audit log in one database, plus what only a
 * database shows: settings survive a restart, and a change made through one node reaches another
 * node's cache (at once on PostgreSQL, which notifies it; within the cache TTL elsewhere).
 */
public abstract class JdbcTenantSettingsContract extends TenantSettingsContract {

    /** The database engine to run on. */
    protected abstract TestDatabase.Kind kind();

    private TestDatabase database;

    @Override
    protected AuditLog newAuditLog() {
        database = TestDatabase.of(kind());
        return JdbcAuditLog.builder(database.dataSource()).build();
    }

    @Override
    protected TenantSettings newSettings(TenantCatalog catalog, AuditLog audit) {
        return sections()
                .catalog(catalog)
                .auditLog(audit)
                .dataSource(database.dataSource())
                .build();
    }

    @AfterEach
    void dropDatabase() {
        if (database != null) {
            database.close();
        }
    }

    @Test
    void settings_surviveARestart() {
        Branding orange = new Branding("#ff6600", null);
        settings.put(ACME, orange, ADMIN);

        try (TenantSettings restarted = newSettings(catalog, audit)) {
            assertThat(restarted.get(ACME, Branding.class)).isEqualTo(orange);
            assertThat(restarted.isSet(ACME, Branding.class)).isTrue();
        }
    }

    @Test
    void aChangeThroughOneNode_reachesTheOtherNodesCache() throws Exception {
        Duration ttl = Duration.ofMillis(kind() == TestDatabase.Kind.POSTGRESQL ? 60_000 : 300);
        try (TenantSettings other = sections()
                .catalog(catalog)
                .auditLog(audit)
                .dataSource(database.dataSource())
                .cacheTtl(ttl)
                .build()) {
            assertThat(other.get(ACME, Branding.class)).isEqualTo(Branding.DEFAULT); // now cached there

            Branding orange = new Branding("#ff6600", null);
            long start = System.nanoTime();
            settings.put(ACME, orange, ADMIN);
            while (!other.get(ACME, Branding.class).equals(orange)) {
                assertThat(Duration.ofNanos(System.nanoTime() - start))
                        .as("seen on the other node within "
                                + (kind() == TestDatabase.Kind.POSTGRESQL ? "5 s" : "the TTL"))
                        .isLessThan(Duration.ofSeconds(5));
                Thread.sleep(10);
            }
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            System.out.println(
                    "[tenancy] " + kind() + " settings change seen on the other node after " + millis + " ms");
        }
    }
}
