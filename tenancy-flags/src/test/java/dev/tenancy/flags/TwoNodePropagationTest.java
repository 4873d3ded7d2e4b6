package dev.tenancy.flags;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.audit.JdbcAuditLog;
import dev.tenancy.catalog.JdbcTenantCatalog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.catalog.TenantUpdate;
import dev.tenancy.testkit.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes, each with its own pool, store and evaluator on one platform database: a change made
 * through one is seen by the other. On PostgreSQL through LISTEN/NOTIFY (the poll is set to five
 * minutes, so it cannot help), also after the listening connection is killed; on H2 through the
 * poll.
 */
class TwoNodePropagationTest {
    private static final Actor OPS = Actor.user("ops-anna", "system_admin");
    private static final TenantId ACME = TenantId.of("acme");
    private static final int CHANGES = 50;

    private TestDatabase database;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
        database.close();
    }

    private FeatureFlags node(Duration poll) {
        return node(poll, null);
    }

    /** A node whose plan rules read tiers from its own cached catalog (TTL 5 minutes), or none. */
    private FeatureFlags node(Duration poll, List<TenantCatalog> catalogOut) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(database.jdbcUrl());
        config.setUsername(database.user());
        config.setPassword(database.password());
        config.setMaximumPoolSize(3);
        HikariDataSource pool = new HikariDataSource(config);
        closing.add(pool);
        FlagStore store = JdbcFlagStore.builder(pool)
                .auditLog(JdbcAuditLog.builder(pool).build())
                .build();
        FeatureFlags.Builder flags = FeatureFlags.builder().store(store).pollInterval(poll);
        if (catalogOut != null) {
            TenantCatalog catalog = TenantCatalog.cached(
                    JdbcTenantCatalog.builder(pool)
                            .auditLog(JdbcAuditLog.builder(pool).build())
                            .build(),
                    Duration.ofMinutes(5));
            closing.add(catalog);
            catalogOut.add(catalog);
            flags.catalog(catalog);
        }
        FeatureFlags built = flags.build();
        closing.add(built);
        return built;
    }

    /** Toggles the flag through {@code a} and returns how long {@code b} took to see each change, in µs. */
    private static List<Long> toggle(FeatureFlags a, FeatureFlags b, int times) throws InterruptedException {
        return timeChanges(
                b.flag("propagation"),
                times,
                (i, on) -> a.override(new FlagOverride(ACME, "propagation", on, null, null, "toggle " + i), OPS));
    }

    /** A change that turns the flag on (even {@code i}) or off (odd), made on the other node. */
    private interface Change {
        void make(int i, boolean on);
    }

    /** Makes {@code times} changes and returns how long {@code seen} took to show each, in µs. */
    private static List<Long> timeChanges(Flag seen, int times, Change change) throws InterruptedException {
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            boolean on = i % 2 == 0;
            long start = System.nanoTime();
            change.make(i, on);
            awaitState(seen, on);
            assertThat(seen.isEnabled(ACME))
                    .as("change %d reached the other node", i)
                    .isEqualTo(on);
            micros.add((System.nanoTime() - start) / 1_000);
        }
        return micros;
    }

    private static long percentile(List<Long> values, double p) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1));
    }

    @Test
    void onPostgres_aChangeReachesTheOtherNode_throughNotify_inWellUnderASecond() throws Exception {
        database = TestDatabase.postgres();
        FeatureFlags a = node(Duration.ofMinutes(5));
        FeatureFlags b = node(Duration.ofMinutes(5));
        a.define(FlagDefinition.builder("propagation").build(), OPS, "measure propagation");
        List<Long> micros = toggle(a, b, CHANGES);
        System.out.printf(
                "[flags] PostgreSQL LISTEN/NOTIFY propagation over %d changes: p50 %d µs, p99 %d µs, max %d µs%n",
                CHANGES, percentile(micros, 0.5), percentile(micros, 0.99), percentile(micros, 1.0));
        assertThat(percentile(micros, 0.99)).isLessThan(1_000_000);

        // The listening connection dies; the listener reconnects and changes flow again.
        database.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()");
        List<Long> after = toggle(a, b, 4);
        assertThat(after).allSatisfy(us -> assertThat(us).isLessThan(10_000_000L));
    }

    @Test
    void onPostgres_aPlanChange_reachesTheOtherNodesPlanRules_asItCommits() throws Exception {
        database = TestDatabase.postgres();
        List<TenantCatalog> catalogs = new ArrayList<>();
        FeatureFlags a = node(Duration.ofMinutes(5), catalogs);
        FeatureFlags b = node(Duration.ofMinutes(5), catalogs);
        TenantCatalog catalogA = catalogs.getFirst();
        catalogA.register(
                TenantRegistration.builder(ACME, "Acme").tier("pro").active().build(), OPS);
        a.define(FlagDefinition.builder("sso-saml").tiers("enterprise").build(), OPS, "plan feature");
        Flag sso = b.flag("sso-saml");
        awaitState(sso, false); // node b has evaluated acme on tier pro

        List<Long> micros = timeChanges(
                sso,
                20,
                (i, upgrade) -> catalogA.update(
                        ACME,
                        TenantUpdate.builder()
                                .tier(upgrade ? "enterprise" : "pro")
                                .build(),
                        OPS));
        System.out.printf(
                "[flags] PostgreSQL plan change (catalog tier) to the other node's plan rules over %d changes:"
                        + " p50 %d µs, p99 %d µs, max %d µs%n",
                micros.size(), percentile(micros, 0.5), percentile(micros, 0.99), percentile(micros, 1.0));
        assertThat(percentile(micros, 0.99)).isLessThan(1_000_000);
    }

    private static void awaitState(Flag flag, boolean enabled) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (flag.isEnabled(ACME) != enabled && System.nanoTime() < deadline) {
            Thread.sleep(0, 100_000);
        }
    }

    @Test
    void onH2_aChangeReachesTheOtherNode_throughThePoll() throws Exception {
        database = TestDatabase.h2();
        FeatureFlags a = node(Duration.ofMinutes(5));
        FeatureFlags b = node(Duration.ofMillis(100));
        a.define(FlagDefinition.builder("propagation").build(), OPS, "measure propagation");
        List<Long> micros = toggle(a, b, 6);
        System.out.printf(
                "[flags] H2 poll (100 ms) propagation: p50 %d µs, max %d µs%n",
                percentile(micros, 0.5), percentile(micros, 1.0));
        assertThat(percentile(micros, 1.0)).isLessThan(2_000_000L);
    }
}
