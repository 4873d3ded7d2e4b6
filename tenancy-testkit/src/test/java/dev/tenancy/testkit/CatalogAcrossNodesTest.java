package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenancy.Actor;
import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.TenantStatus;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.CatalogChangeNotifications;
import dev.tenancy.catalog.JdbcTenantCatalog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.catalog.TenantUpdate;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Two nodes, each with its own cached catalog over the same platform database: a change made
 * through one reaches the other's cache, and then its subscribers, as it commits on PostgreSQL,
 * long before the TTL; on H2 the other node sees it after its TTL.
 */
class CatalogAcrossNodesTest {
    private static final Actor OPS = Actor.user("ops-1", "system_admin");
    private static final TenantId ACME = TenantId.of("acme");

    private static TenantCatalog node(TestDatabase db, Duration ttl) {
        return TenantCatalog.cached(
                JdbcTenantCatalog.builder(db.dataSource())
                        .auditLog(AuditLog.inMemory())
                        .build(),
                ttl);
    }

    private static Tenant await(TenantCatalog catalog, Predicate<Tenant> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Tenant seen = catalog.require(ACME);
        while (!condition.test(seen) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            seen = catalog.require(ACME);
        }
        return seen;
    }

    @Test
    void onPostgres_aSuspensionAndATierChange_reachTheOtherNodesCacheAndSubscribers_asTheyCommit() throws Exception {
        try (TestDatabase db = TestDatabase.postgres();
                TenantCatalog a = node(db, Duration.ofHours(1));
                TenantCatalog b = node(db, Duration.ofHours(1))) {
            a.register(
                    TenantRegistration.builder(ACME, "Acme")
                            .tier("pro")
                            .active()
                            .build(),
                    OPS);
            assertThat(b.require(ACME).status()).isEqualTo(TenantStatus.ACTIVE); // now cached on b

            a.transition(ACME, TenantStatus.SUSPENDED, OPS, "Payment failed three times");
            assertThat(await(b, t -> t.status() == TenantStatus.SUSPENDED).status())
                    .as("suspended on node a: node b stops serving it without waiting an hour")
                    .isEqualTo(TenantStatus.SUSPENDED);

            a.update(ACME, TenantUpdate.builder().tier("enterprise").build(), OPS);
            assertThat(await(b, t -> t.tier().equals("enterprise")).tier()).isEqualTo("enterprise");

            BlockingQueue<String> heard = new LinkedBlockingQueue<>();
            try (AutoCloseable subscription = ((CatalogChangeNotifications) b)
                    .subscribe(id -> heard.add(id + " " + b.require(id).tier()))) {
                a.update(ACME, TenantUpdate.builder().tier("business").build(), OPS);
                // a notice of the earlier change may still be on its way: the one for this change
                // must come, and by then b's cache has dropped the tenant
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                String notice = heard.poll(10, TimeUnit.SECONDS);
                while (notice != null && !notice.equals("acme business") && System.nanoTime() < deadline) {
                    notice = heard.poll(10, TimeUnit.SECONDS);
                }
                assertThat(notice)
                        .as("a subscriber on node b hears of it after b's cache dropped it")
                        .isEqualTo("acme business");
            }
        }
    }

    @Test
    void onH2_theOtherNodeSeesAChange_afterItsTtl() throws Exception {
        try (TestDatabase db = TestDatabase.h2();
                TenantCatalog a = node(db, Duration.ofHours(1));
                TenantCatalog b = node(db, Duration.ofMillis(200))) {
            a.register(TenantRegistration.builder(ACME, "Acme").active().build(), OPS);
            assertThat(b.require(ACME).status()).isEqualTo(TenantStatus.ACTIVE);

            a.transition(ACME, TenantStatus.SUSPENDED, OPS, "Payment failed three times");
            assertThat(b.require(ACME).status())
                    .as("within the TTL: the cached record")
                    .isEqualTo(TenantStatus.ACTIVE);
            assertThat(await(b, t -> t.status() == TenantStatus.SUSPENDED).status())
                    .isEqualTo(TenantStatus.SUSPENDED);
        }
    }
}
