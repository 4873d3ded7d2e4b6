package dev.tenancy.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.jdbc.TenantStorage;
import dev.tenancy.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.hibernate.SessionFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The second-level cache keeps tenants apart: two schema (or database) tenants each have a row
 * with id 1; once one tenant's row is cached, the other still reads its own, and a cached query's
 * results are kept per tenant.
 */
class SecondLevelCacheTest {

    @ParameterizedTest
    @CsvSource({"SCHEMA, H2", "DATABASE, H2", "SCHEMA, POSTGRESQL", "DATABASE, POSTGRESQL"})
    void sameIdInTwoTenants_isCachedPerTenant(IsolationModel model, TestDatabase.Kind kind) throws Exception {
        try (TestDatabase database = TestDatabase.of(kind)) {
            TenantCatalog catalog =
                    TenantCatalog.cached(TenantCatalog.inMemory(AuditLog.inMemory()), Duration.ofMinutes(5));
            try (TenantDataSource dataSource = TenantDataSource.builder()
                    .allowInsecureRole() // connects as the test server's superuser
                    .catalog(catalog)
                    .server(DatabaseServer.of("default", database.jdbcUrl(), database.user(), database.password())
                            .withDatabaseUrlTemplate(database.databaseUrlTemplate()))
                    .build()) {
                String suffix = UUID.randomUUID().toString().substring(0, 6);
                TenantId alpha = TenantId.of("alpha-" + suffix);
                TenantId beta = TenantId.of("beta-" + suffix);
                for (TenantId id : new TenantId[] {alpha, beta}) {
                    Tenant tenant = catalog.register(
                            TenantRegistration.builder(id, id.value())
                                    .isolation(model)
                                    .active()
                                    .build(),
                            Actor.system("test"));
                    TenantStorage storage = TenantStorage.on(dataSource.server("default"));
                    storage.create(tenant, null);
                    try (Connection c = storage.connect(tenant);
                            Statement s = c.createStatement()) {
                        s.execute("CREATE TABLE cached_notes (id BIGINT PRIMARY KEY, body VARCHAR(200))");
                        s.execute("INSERT INTO cached_notes VALUES (1, 'note of " + id.value() + "')");
                    }
                }
                if (model == IsolationModel.DATABASE) {
                    database.dropOnClose(alpha.databaseName());
                    database.dropOnClose(beta.databaseName());
                }
                try (SessionFactory sessions = new HibernatePersistenceConfiguration("cached-" + model)
                        .managedClass(CachedNote.class)
                        .properties(TenancyHibernate.builder()
                                .dataSource(dataSource)
                                .build()
                                .properties())
                        .property("hibernate.cache.use_second_level_cache", true)
                        .property("hibernate.cache.use_query_cache", true)
                        .property("hibernate.cache.region.factory_class", "jcache")
                        .property("hibernate.javax.cache.missing_cache_strategy", "create")
                        .property("hibernate.generate_statistics", true)
                        .createEntityManagerFactory()) {
                    String first = TenantContext.where(alpha)
                            .call(() -> sessions.fromTransaction(
                                    s -> s.find(CachedNote.class, 1L).body()));
                    var stats = sessions.getStatistics();
                    assertThat(stats.getSecondLevelCachePutCount())
                            .as("alpha's row went into the second-level cache")
                            .isEqualTo(1);
                    String second = TenantContext.where(beta)
                            .call(() -> sessions.fromTransaction(
                                    s -> s.find(CachedNote.class, 1L).body()));
                    String again = TenantContext.where(alpha)
                            .call(() -> sessions.fromTransaction(
                                    s -> s.find(CachedNote.class, 1L).body()));

                    assertThat(stats.getSecondLevelCachePutCount())
                            .as("beta's row was cached under its own key")
                            .isEqualTo(2);
                    assertThat(stats.getSecondLevelCacheHitCount())
                            .as("alpha's second read came from the cache")
                            .isEqualTo(1);
                    String query = "select n.body from CachedNote n";
                    for (int round = 0; round < 2; round++) {
                        for (TenantId tenant : new TenantId[] {alpha, beta}) {
                            List<String> bodies = TenantContext.where(tenant)
                                    .call(() ->
                                            sessions.fromTransaction(s -> s.createSelectionQuery(query, String.class)
                                                    .setCacheable(true)
                                                    .getResultList()));
                            assertThat(bodies)
                                    .as("the query cache, round %d, %s", round, tenant)
                                    .containsExactly("note of " + tenant.value());
                        }
                    }
                    assertThat(stats.getQueryCachePutCount())
                            .as("one query cache entry per tenant")
                            .isEqualTo(2);
                    assertThat(stats.getQueryCacheHitCount())
                            .as("each tenant's second round came from its own entry")
                            .isEqualTo(2);
                    assertThat(first).isEqualTo("note of " + alpha.value());
                    assertThat(second).isEqualTo("note of " + beta.value());
                    assertThat(again).isEqualTo("note of " + alpha.value());
                }
            }
        }
    }

    /** Shared model: a row cached for alpha is not served to beta asking for the same id. */
    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void sharedModel_aCachedRowIsNotServedToAnotherTenant(TestDatabase.Kind kind) throws Exception {
        try (TestDatabase database = TestDatabase.of(kind)) {
            database.execute("CREATE TABLE shared_cached_notes (id BIGINT PRIMARY KEY,"
                    + " tenant_id VARCHAR(48) NOT NULL, body VARCHAR(200))");
            TenantCatalog catalog =
                    TenantCatalog.cached(TenantCatalog.inMemory(AuditLog.inMemory()), Duration.ofMinutes(5));
            try (TenantDataSource dataSource = TenantDataSource.builder()
                    .allowInsecureRole() // connects as the test server's superuser
                    .catalog(catalog)
                    .server(DatabaseServer.of("default", database.jdbcUrl(), database.user(), database.password()))
                    .build()) {
                String suffix = UUID.randomUUID().toString().substring(0, 6);
                TenantId alpha = TenantId.of("alpha-" + suffix);
                TenantId beta = TenantId.of("beta-" + suffix);
                for (TenantId id : new TenantId[] {alpha, beta}) {
                    catalog.register(
                            TenantRegistration.builder(id, id.value())
                                    .isolation(IsolationModel.SHARED)
                                    .active()
                                    .build(),
                            Actor.system("test"));
                }
                try (SessionFactory sessions = new HibernatePersistenceConfiguration("shared-cached")
                        .managedClass(SharedCachedNote.class)
                        .properties(TenancyHibernate.builder()
                                .dataSource(dataSource)
                                .build()
                                .properties())
                        .property("hibernate.cache.use_second_level_cache", true)
                        .property("hibernate.cache.region.factory_class", "jcache")
                        .property("hibernate.javax.cache.missing_cache_strategy", "create")
                        .property("hibernate.generate_statistics", true)
                        .createEntityManagerFactory()) {
                    TenantContext.where(alpha)
                            .run(() -> sessions.inTransaction(s -> s.persist(new SharedCachedNote(1L, "alpha's"))));
                    String alphaReads = TenantContext.where(alpha)
                            .call(() -> sessions.fromTransaction(
                                    s -> s.find(SharedCachedNote.class, 1L).body()));
                    long hitsBefore = sessions.getStatistics().getSecondLevelCacheHitCount();
                    SharedCachedNote betaReads = TenantContext.where(beta)
                            .call(() -> sessions.fromTransaction(s -> s.find(SharedCachedNote.class, 1L)));
                    assertThat(alphaReads).isEqualTo("alpha's");
                    assertThat(betaReads).as("beta asking for alpha's id").isNull();
                    assertThat(sessions.getStatistics().getSecondLevelCacheHitCount())
                            .as("alpha's cached row was not a hit for beta")
                            .isEqualTo(hitsBefore);
                    assertThat(sessions.getStatistics().getSecondLevelCachePutCount())
                            .as("alpha's row is in the cache")
                            .isPositive();
                }
            }
        }
    }
}
