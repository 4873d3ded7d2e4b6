package dev.tenancy.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import jakarta.persistence.criteria.CriteriaQuery;
import jakarta.persistence.criteria.CriteriaUpdate;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.hibernate.EntityFilterException;
import org.hibernate.SessionFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The isolation contract through Hibernate, for every isolation model: two tenants with rows, and
 * everything a session of one can do (find, JPQL, Criteria, native SQL, bulk UPDATE/DELETE, merge,
 * remove by reference, batch insert, the stateless session's get, insert, update, delete and
 * upsert) reaches only its own rows, and what {@code @TenantId} cannot scope (HQL INSERT, an
 * UPDATE of the tenant attribute) is refused.
 */
abstract class HibernateIsolationContract {

    protected abstract TestDatabase.Kind kind();

    private static final AtomicLong IDS = new AtomicLong(1000);
    private TestDatabase database;
    private TenantDataSource dataSource;
    private SessionFactory sessions;
    private TenantId alpha;
    private TenantId beta;
    private long alphaNote;
    private long betaNote;

    @AfterEach
    void tearDown() {
        if (sessions != null) {
            sessions.close();
        }
        if (dataSource != null) {
            dataSource.close();
        }
        if (database != null) {
            database.close();
        }
    }

    /** The server the tenants live on (a subclass may reach it through a pooler). */
    protected DatabaseServer server(TestDatabase database) {
        return DatabaseServer.of("default", database.jdbcUrl(), database.user(), database.password())
                .withDatabaseUrlTemplate(database.databaseUrlTemplate());
    }

    private void setUp(IsolationModel model) throws Exception {
        database = TestDatabase.of(kind());
        TenantCatalog catalog =
                TenantCatalog.cached(TenantCatalog.inMemory(AuditLog.inMemory()), Duration.ofMinutes(5));
        dataSource = TenantDataSource.builder()
                .allowInsecureRole() // connects as the test server's superuser
                .catalog(catalog)
                .server(server(database))
                .build();
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        alpha = TenantId.of("alpha-" + suffix);
        beta = TenantId.of("beta-" + suffix);
        List<String> ddl = List.of(
                "CREATE TABLE notes (id BIGINT PRIMARY KEY, tenant_id VARCHAR(48) NOT NULL, body VARCHAR(200))",
                "CREATE TABLE tags (id BIGINT PRIMARY KEY, tenant_id VARCHAR(48) NOT NULL, note_id BIGINT,"
                        + " label VARCHAR(50))");
        if (model == IsolationModel.SHARED) {
            ddl.forEach(database::execute);
        }
        for (TenantId id : List.of(alpha, beta)) {
            Tenant tenant = catalog.register(
                    TenantRegistration.builder(id, id.value())
                            .isolation(model)
                            .active()
                            .build(),
                    Actor.system("test"));
            if (model == IsolationModel.DATABASE) {
                database.dropOnClose(id.databaseName());
            }
            TenantStorage storage = TenantStorage.on(dataSource.server("default"));
            storage.create(tenant, null);
            if (model != IsolationModel.SHARED) {
                try (Connection c = storage.connect(tenant);
                        Statement s = c.createStatement()) {
                    for (String statement : ddl) {
                        s.execute(statement);
                    }
                }
            }
        }
        sessions = new HibernatePersistenceConfiguration("tenancy-" + model)
                .managedClasses(Note.class, Tag.class, Country.class)
                .properties(TenancyHibernate.builder()
                        .dataSource(dataSource)
                        .build()
                        .properties())
                .property("hibernate.jdbc.batch_size", 20)
                .createEntityManagerFactory();
        TenantContext.where(alpha)
                .run(() -> sessions.inTransaction(s -> {
                    alphaNote = IDS.incrementAndGet();
                    s.persist(new Note(alphaNote, "alpha one"));
                    s.persist(new Note(IDS.incrementAndGet(), "alpha two"));
                }));
        betaNote = IDS.incrementAndGet();
        TenantContext.where(beta).run(() -> sessions.inTransaction(s -> s.persist(new Note(betaNote, "beta secret"))));
    }

    private List<String> betaBodiesAsBeta() {
        return TenantContext.where(beta)
                .call(() -> sessions.fromTransaction(
                        s -> s.createSelectionQuery("select n.body from Note n order by n.id", String.class)
                                .getResultList()));
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void readsSeeOnlyTheSessionsTenant(IsolationModel model) throws Exception {
        setUp(model);
        TenantContext.where(alpha)
                .run(() -> sessions.inTransaction(s -> {
                    assertThat(s.find(Note.class, betaNote))
                            .as("find by another tenant's id")
                            .isNull();
                    assertThat(s.createSelectionQuery("select n.body from Note n order by n.id", String.class)
                                    .getResultList())
                            .as("JPQL")
                            .containsExactly("alpha one", "alpha two");
                    CriteriaQuery<Note> all = s.getCriteriaBuilder().createQuery(Note.class);
                    all.from(Note.class);
                    assertThat(s.createQuery(all).getResultList())
                            .as("Criteria")
                            .extracting(Note::body)
                            .containsExactlyInAnyOrder("alpha one", "alpha two");
                    assertThat(s.createSelectionQuery("from Note n where n.id = :id", Note.class)
                                    .setParameter("id", betaNote)
                                    .getResultList())
                            .isEmpty();
                }));
    }

    @ParameterizedTest
    @EnumSource(
            value = IsolationModel.class,
            names = {"SCHEMA", "DATABASE"})
    void nativeSql_isIsolatedByTheConnection(IsolationModel model) throws Exception {
        setUp(model);
        List<String> bodies = TenantContext.where(alpha)
                .call(() -> sessions.fromTransaction(s -> s.createNativeQuery("SELECT body FROM notes", String.class)
                        .getResultList()));
        assertThat(bodies).hasSize(2).doesNotContain("beta secret");
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void bulkUpdateAndDelete_touchOnlyTheSessionsTenant(IsolationModel model) throws Exception {
        setUp(model);
        int updated = TenantContext.where(alpha)
                .call(() -> sessions.fromTransaction(s ->
                        s.createMutationQuery("update Note set body = 'pwned'").executeUpdate()));
        assertThat(updated).isEqualTo(2);
        assertThat(betaBodiesAsBeta()).containsExactly("beta secret");

        int deleted = TenantContext.where(alpha)
                .call(() -> sessions.fromTransaction(
                        s -> s.createMutationQuery("delete from Note").executeUpdate()));
        assertThat(deleted).isEqualTo(2);
        assertThat(betaBodiesAsBeta()).containsExactly("beta secret");
    }

    /** The HHH-20883 case: generated UPDATE and DELETE by id must carry the tenant too. */
    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void updateAndRemoveByAnotherTenantsId_neverReachItsRow(IsolationModel model) throws Exception {
        setUp(model);
        TenantContext.where(alpha).run(() -> {
            try {
                sessions.inTransaction(s -> s.getReference(Note.class, betaNote).body("pwned"));
            } catch (RuntimeException expected) {
                // not found in this tenant: fine, as long as nothing changed
            }
            try {
                sessions.inTransaction(s -> s.remove(s.getReference(Note.class, betaNote)));
            } catch (RuntimeException expected) {
                // likewise
            }
            try {
                sessions.inStatelessTransaction(s -> s.update(withId(betaNote, "pwned by stateless update")));
            } catch (RuntimeException expected) {
                // an optimistic failure ("row was updated or deleted") is the right answer
            }
            try {
                sessions.inStatelessTransaction(s -> s.delete(withId(betaNote, "x")));
            } catch (RuntimeException expected) {
                // likewise
            }
        });
        assertThat(betaBodiesAsBeta()).containsExactly("beta secret");
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void mergeOfAnotherTenantsId_neverOverwritesIt(IsolationModel model) throws Exception {
        setUp(model);
        TenantContext.where(alpha).run(() -> {
            try {
                sessions.inTransaction(s -> s.merge(withId(betaNote, "pwned by merge")));
            } catch (RuntimeException refused) {
                // a duplicate key on insert is the database refusing it: fine
            }
        });
        assertThat(betaBodiesAsBeta()).containsExactly("beta secret");
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void statelessUpsertOfAnotherTenantsId_neverOverwritesIt(IsolationModel model) throws Exception {
        setUp(model);
        TenantContext.where(alpha).run(() -> {
            try {
                sessions.inStatelessTransaction(s -> s.upsert(withId(betaNote, "pwned by upsert")));
            } catch (RuntimeException refused) {
                // a duplicate key is the database refusing it: fine
            }
        });
        assertThat(betaBodiesAsBeta()).containsExactly("beta secret");
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void statelessReadsAndInserts_stayWithTheSessionsTenant(IsolationModel model) throws Exception {
        setUp(model);
        long id = IDS.incrementAndGet();
        TenantContext.where(alpha)
                .run(() -> sessions.inStatelessTransaction(s -> {
                    assertThat(s.get(Note.class, betaNote))
                            .as("get by another tenant's id")
                            .isNull();
                    s.insert(withId(id, "stateless insert"));
                }));
        String tenant = TenantContext.where(alpha)
                .call(() -> sessions.fromTransaction(s -> s.find(Note.class, id).tenantId()));
        assertThat(tenant).isEqualTo(alpha.value());
    }

    /**
     * Hibernate 7.4's {@code @TenantId} neither sets nor checks the tenant of an HQL INSERT: without
     * Tenancy, the first statement plants a row in beta's data and the second stores rows under no
     * tenant. Both are refused before any SQL runs.
     */
    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void hqlInsert_isRefused_whetherItNamesATenantOrNot(IsolationModel model) throws Exception {
        setUp(model);
        long id = IDS.incrementAndGet();
        assertThatThrownBy(() -> TenantContext.where(alpha)
                        .run(() -> sessions.inTransaction(s -> s.createMutationQuery(
                                        "insert into Note (id, tenantId, body) values (:id, :tenant, 'planted')")
                                .setParameter("id", id)
                                .setParameter("tenant", beta.value())
                                .executeUpdate())))
                .isInstanceOf(TenantIsolationException.class)
                .hasMessageContaining("INSERT into dev.tenancy.hibernate.Note is refused")
                .hasMessageContaining("'tenantId'")
                .hasMessageContaining("Session.persist");
        assertThatThrownBy(() -> TenantContext.where(alpha)
                        .run(() -> sessions.inTransaction(s -> s.createMutationQuery(
                                        "insert into Note (id, body) select n.id + 100000, n.body from Note n")
                                .executeUpdate())))
                .isInstanceOf(TenantIsolationException.class);
        assertThat(betaBodiesAsBeta()).containsExactly("beta secret");
        Long alphaNotes = TenantContext.where(alpha)
                .call(() ->
                        sessions.fromTransaction(s -> s.createSelectionQuery("select count(n) from Note n", Long.class)
                                .getSingleResult()));
        assertThat(alphaNotes).isEqualTo(2L);
    }

    /** Without Tenancy, this moves alpha's rows into beta's data (the WHERE gets alpha's tenant, the SET beta's). */
    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void anUpdateOfTheTenantAttribute_isRefused(IsolationModel model) throws Exception {
        setUp(model);
        assertThatThrownBy(() -> TenantContext.where(alpha)
                        .run(() -> sessions.inTransaction(
                                s -> s.createMutationQuery("update Note n set n.tenantId = :tenant, n.body = 'moved'")
                                        .setParameter("tenant", beta.value())
                                        .executeUpdate())))
                .isInstanceOf(TenantIsolationException.class)
                .hasMessageContaining("sets dev.tenancy.hibernate.Note.tenantId");
        assertThatThrownBy(() -> TenantContext.where(alpha)
                        .run(() -> sessions.inTransaction(s -> {
                            CriteriaUpdate<Note> update = s.getCriteriaBuilder().createCriteriaUpdate(Note.class);
                            update.from(Note.class);
                            update.set("tenantId", beta.value());
                            s.createMutationQuery(update).executeUpdate();
                        })))
                .as("the same through Criteria")
                .isInstanceOf(TenantIsolationException.class);
        assertThat(betaBodiesAsBeta()).containsExactly("beta secret");
    }

    /** Beta plants a tag pointing at alpha's note: no way of reaching it through the tag reads alpha's row. */
    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void aPlantedReferenceToAnotherTenantsRow_neverReadsIt(IsolationModel model) throws Exception {
        setUp(model);
        long tag = IDS.incrementAndGet();
        TenantContext.where(beta)
                .run(() -> sessions.inTransaction(
                        s -> s.persist(new Tag(tag, s.getReference(Note.class, alphaNote), "planted"))));
        TenantContext.where(beta)
                .run(() -> sessions.inTransaction(s -> {
                    assertThat(s.createSelectionQuery("select t.note.body from Tag t", String.class)
                                    .getResultList())
                            .as("implicit join")
                            .isEmpty();
                    assertThat(s.createSelectionQuery("select n.body from Tag t left join t.note n", String.class)
                                    .getResultList())
                            .as("left join")
                            .containsOnlyNulls();
                }));
        String lazily = TenantContext.where(beta)
                .call(() -> sessions.fromTransaction(s -> {
                    try {
                        Note note = s.find(Tag.class, tag).note();
                        return note == null ? null : note.body();
                    } catch (RuntimeException notFound) {
                        return null;
                    }
                }));
        assertThat(lazily).as("lazy load through the proxy").isNull();
        assertThatThrownBy(() -> TenantContext.where(beta)
                        .run(() -> sessions.inTransaction(
                                s -> s.createSelectionQuery("from Tag t left join fetch t.note", Tag.class)
                                        .getResultList())))
                .as("join fetch fails closed")
                .isInstanceOf(EntityFilterException.class)
                .hasMessageContaining("is filtered for association");
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void batchInsert_writesTheSessionsTenant(IsolationModel model) throws Exception {
        setUp(model);
        TenantContext.where(alpha)
                .run(() -> sessions.inTransaction(s -> {
                    for (int i = 0; i < 50; i++) {
                        s.persist(new Note(IDS.incrementAndGet(), "batch " + i));
                    }
                }));
        List<String> tenants = TenantContext.where(alpha)
                .call(() -> sessions.fromTransaction(
                        s -> s.createSelectionQuery("select n.tenantId from Note n", String.class)
                                .getResultList()));
        assertThat(tenants).hasSize(52).containsOnly(alpha.value());
        assertThat(betaBodiesAsBeta()).containsExactly("beta secret");
    }

    @Test
    void noTenantBound_aSessionReachesNoData() throws Exception {
        setUp(IsolationModel.SHARED);
        assertThatThrownBy(() -> sessions.inTransaction(s -> s.find(Note.class, betaNote)))
                .hasStackTraceContaining("No tenant is bound");
        try (var session = sessions.openSession()) { // opening one is harmless: open-in-view does it
            assertThatThrownBy(() -> session.find(Note.class, betaNote)).hasStackTraceContaining("No tenant is bound");
        }
    }

    @Test
    void systemScope_isTheRootTenant_andSeesEveryTenant() throws Exception {
        setUp(IsolationModel.SHARED);
        long all = TenantContext.system()
                .call(() ->
                        sessions.fromTransaction(s -> s.createSelectionQuery("select count(n) from Note n", Long.class)
                                .getSingleResult()));
        assertThat(all).isEqualTo(3);
    }

    @Test
    void anEntityWithoutTenantScope_failsTheBootstrap_orWarns() throws Exception {
        setUp(IsolationModel.SHARED);
        assertThatThrownBy(() -> new HibernatePersistenceConfiguration("unscoped")
                        .managedClasses(Note.class, Country.class, Unscoped.class)
                        .properties(TenancyHibernate.builder()
                                .dataSource(dataSource)
                                .build()
                                .properties())
                        .createEntityManagerFactory())
                .hasStackTraceContaining("Entities without a tenant scope")
                .hasStackTraceContaining(Unscoped.class.getName())
                .satisfies(e -> assertThat(e.toString()).doesNotContain(Country.class.getName()));
        try (SessionFactory warned = new HibernatePersistenceConfiguration("warned")
                .managedClasses(Note.class, Unscoped.class)
                .properties(TenancyHibernate.builder()
                        .dataSource(dataSource)
                        .unscopedEntities(TenancyHibernate.UnscopedEntities.WARN)
                        .build()
                        .properties())
                .createEntityManagerFactory()) {
            assertThat(warned.isOpen()).isTrue();
        }
    }

    private static Note withId(long id, String body) {
        return new Note(id, body);
    }
}
