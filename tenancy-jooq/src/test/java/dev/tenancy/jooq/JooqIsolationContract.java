package dev.tenancy.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.selectOne;
import static org.jooq.impl.DSL.table;

import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.NoTenantBoundException;
import dev.tenancy.context.TenantContext;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.jdbc.TenantStorage;
import dev.tenancy.provision.SharedTable;
import dev.tenancy.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.jooq.CommonTableExpression;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record2;
import org.jooq.ResultQuery;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The isolation contract through jOOQ, for every isolation model: two tenants with notes and tags,
 * and everything one tenant's {@code DSLContext} can say (select, joins of every kind, subqueries,
 * CTEs, set operations, insert, insert ... select, upsert, update, delete, plain SQL) reaches only
 * its own rows, while the queries name tables as generated code does (qualified by the input
 * schema).
 */
abstract class JooqIsolationContract {

    protected abstract TestDatabase.Kind kind();

    /** The server the tenants live on (a subclass may reach it through a pooler). */
    protected DatabaseServer server(TestDatabase database) {
        return DatabaseServer.of("default", database.jdbcUrl(), database.user(), database.password())
                .withDatabaseUrlTemplate(database.databaseUrlTemplate());
    }

    private static final AtomicLong IDS = new AtomicLong(1000);
    private static final Field<Long> ID = field(name("notes", "id"), Long.class);
    private static final Field<String> BODY = field(name("notes", "body"), String.class);
    private static final Field<String> NOTE_TENANT = field(name("notes", "tenant_id"), String.class);
    private static final Field<Long> TAG_ID = field(name("tags", "id"), Long.class);
    private static final Field<Long> NOTE_ID = field(name("tags", "note_id"), Long.class);
    private static final Field<String> LABEL = field(name("tags", "label"), String.class);

    private TestDatabase database;
    private TenantCatalog catalog;
    private TenantDataSource dataSource;
    private DSLContext dsl;
    private Table<?> notes;
    private Table<?> tags;
    private TenantId alpha;
    private TenantId beta;
    private long alphaNote;
    private long betaNote;

    @AfterEach
    void tearDown() {
        if (dataSource != null) {
            dataSource.close();
        }
        if (database != null) {
            database.close();
        }
    }

    private String inputSchema() {
        return kind() == TestDatabase.Kind.H2 ? "PUBLIC" : "public";
    }

    private SQLDialect dialect() {
        return kind() == TestDatabase.Kind.H2 ? SQLDialect.H2 : SQLDialect.POSTGRES;
    }

    private void setUp(IsolationModel model) throws Exception {
        setUp(model, true);
    }

    private void setUp(IsolationModel model, boolean qualified) throws Exception {
        database = TestDatabase.of(kind());
        catalog = TenantCatalog.cached(TenantCatalog.inMemory(AuditLog.inMemory()), Duration.ofMinutes(5));
        dataSource = TenantDataSource.builder()
                .allowInsecureRole() // connects as the test server's superuser
                .catalog(catalog)
                .server(server(database))
                .build();
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        alpha = TenantId.of("alpha-" + suffix);
        beta = TenantId.of("beta-" + suffix);
        boolean shared = model == IsolationModel.SHARED;
        // One set of migrations for every model, as a hybrid deployment runs: the tenant column everywhere.
        String tenantColumn = "\"tenant_id\" VARCHAR(48) NOT NULL, ";
        List<String> ddl = List.of(
                "CREATE TABLE \"notes\" (\"id\" BIGINT PRIMARY KEY, " + tenantColumn + "\"body\" VARCHAR(200))",
                "CREATE TABLE \"tags\" (\"id\" BIGINT PRIMARY KEY, " + tenantColumn
                        + "\"note_id\" BIGINT, \"label\" VARCHAR(50))");
        if (shared) {
            ddl.forEach(database::execute);
        } else if (model == IsolationModel.SCHEMA) {
            // A decoy in the default schema: SQL naming the input schema must not land here.
            database.execute(ddl.get(0));
            database.execute("INSERT INTO \"notes\" VALUES (1, 'decoy', 'decoy in the default schema')");
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
            if (!shared) {
                try (Connection c = storage.connect(tenant);
                        Statement s = c.createStatement()) {
                    for (String statement : ddl) {
                        s.execute(statement);
                    }
                }
            }
        }
        TenancyJooq.Builder builder = TenancyJooq.builder()
                .dataSource(dataSource)
                .dialect(dialect())
                .tenantTable(SharedTable.of("notes", "tenant_id"))
                .tenantTable(SharedTable.of("tags", "tenant_id"));
        if (qualified) {
            builder.inputSchema(inputSchema());
        }
        dsl = builder.build().dsl();
        notes = qualified ? table(name(inputSchema(), "notes")) : table(name("notes"));
        tags = qualified ? table(name(inputSchema(), "tags")) : table(name("tags"));

        alphaNote = IDS.incrementAndGet();
        long alphaTwo = IDS.incrementAndGet();
        betaNote = IDS.incrementAndGet();
        long alphaTag = IDS.incrementAndGet();
        long betaTag = IDS.incrementAndGet();
        TenantContext.where(alpha).run(() -> {
            dsl.insertInto(notes, ID, BODY)
                    .values(alphaNote, "alpha one")
                    .values(alphaTwo, "alpha two")
                    .execute();
            dsl.insertInto(tags, TAG_ID, NOTE_ID, LABEL)
                    .values(alphaTag, alphaNote, "alpha tag")
                    .execute();
        });
        TenantContext.where(beta).run(() -> {
            dsl.insertInto(notes, ID, BODY).values(betaNote, "beta secret").execute();
            // A planted cross-tenant reference: beta's tag points at alpha's second note.
            dsl.insertInto(tags, TAG_ID, NOTE_ID, LABEL)
                    .values(betaTag, alphaTwo, "beta tag")
                    .execute();
        });
    }

    private <T> T asAlpha(java.util.function.Supplier<T> work) {
        return TenantContext.where(alpha).call(work::get);
    }

    private List<String> betaBodies() {
        return TenantContext.where(beta)
                .call(() -> dsl.select(BODY).from(notes).orderBy(ID).fetch(BODY));
    }

    private List<String> betaLabels() {
        return TenantContext.where(beta).call(() -> dsl.select(LABEL).from(tags).fetch(LABEL));
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void select_seesOnlyTheCurrentTenant(IsolationModel model) throws Exception {
        setUp(model);
        assertThat(asAlpha(() -> dsl.select(BODY).from(notes).orderBy(ID).fetch(BODY)))
                .containsExactly("alpha one", "alpha two");
        assertThat(asAlpha(() -> dsl.selectFrom(notes).where(ID.eq(betaNote)).fetch()))
                .as("by another tenant's id")
                .isEmpty();
        assertThat(asAlpha(() -> dsl.fetchCount(notes))).isEqualTo(2);
        assertThat(asAlpha(() -> dsl.fetchExists(notes, ID.eq(betaNote)))).isFalse();
        Table<?> n = notes.as("n");
        assertThat(asAlpha(() -> dsl.select(field(name("n", "body"), String.class))
                        .from(n)
                        .fetch(field(name("n", "body"), String.class))))
                .as("aliased")
                .containsExactlyInAnyOrder("alpha one", "alpha two");
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void joins_ofEveryKind_pairOnlyTheCurrentTenantsRows(IsolationModel model) throws Exception {
        setUp(model);
        assertThat(asAlpha(() -> dsl.select(BODY, LABEL)
                        .from(notes)
                        .join(tags)
                        .on(NOTE_ID.eq(ID))
                        .fetch(r -> r.value1() + "/" + r.value2())))
                .as("inner join")
                .containsExactly("alpha one/alpha tag");
        assertThat(asAlpha(() -> dsl.select(BODY, LABEL)
                        .from(notes)
                        .leftJoin(tags)
                        .on(NOTE_ID.eq(ID))
                        .orderBy(ID)
                        .fetch(r -> r.value1() + "/" + r.value2())))
                .as("left join keeps alpha two, without beta's tag that points at it")
                .containsExactly("alpha one/alpha tag", "alpha two/null");
        assertThat(asAlpha(() -> dsl.select(BODY, LABEL)
                        .from(tags)
                        .rightJoin(notes)
                        .on(NOTE_ID.eq(ID))
                        .orderBy(ID)
                        .fetch(r -> r.value1() + "/" + r.value2())))
                .as("right join")
                .containsExactly("alpha one/alpha tag", "alpha two/null");
        if (kind() == TestDatabase.Kind.POSTGRESQL) {
            assertThat(asAlpha(() -> dsl.select(BODY, LABEL)
                            .from(notes)
                            .fullJoin(tags)
                            .on(NOTE_ID.eq(ID))
                            .fetch(r -> r.value1() + "/" + r.value2())))
                    .as("full join")
                    .containsExactlyInAnyOrder("alpha one/alpha tag", "alpha two/null");
        }
        assertThat(asAlpha(() ->
                        dsl.select(BODY).from(notes, tags).where(NOTE_ID.eq(ID)).fetch(BODY)))
                .as("comma join")
                .containsExactly("alpha one");
        assertThat(asAlpha(() -> dsl.select(BODY)
                        .from(notes)
                        .leftSemiJoin(tags)
                        .on(NOTE_ID.eq(ID))
                        .fetch(BODY)))
                .as("semi join")
                .containsExactly("alpha one");
        assertThat(asAlpha(() -> dsl.select(BODY)
                        .from(notes)
                        .leftAntiJoin(tags)
                        .on(NOTE_ID.eq(ID))
                        .fetch(BODY)))
                .as("anti join: beta's tag does not hide alpha two")
                .containsExactly("alpha two");
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void subqueries_ctes_and_setOperations_areScopedWhereTheyStand(IsolationModel model) throws Exception {
        setUp(model);
        assertThat(asAlpha(() -> dsl.select(BODY)
                        .from(notes)
                        .where(ID.in(select(NOTE_ID).from(tags)))
                        .fetch(BODY)))
                .as("IN subquery: beta's tag on alpha two does not count")
                .containsExactly("alpha one");
        assertThat(asAlpha(() -> dsl.select(BODY)
                        .from(notes)
                        .whereExists(selectOne().from(tags).where(NOTE_ID.eq(ID)))
                        .fetch(BODY)))
                .as("correlated EXISTS")
                .containsExactly("alpha one");
        assertThat(asAlpha(() -> dsl.select(
                                select(BODY).from(notes).where(ID.eq(betaNote)).<String>asField("b"))
                        .fetchOne(0, String.class)))
                .as("scalar subquery by another tenant's id")
                .isNull();
        assertThat(asAlpha(() -> dsl.select(
                                BODY, DSL.multiset(select(LABEL).from(tags).where(NOTE_ID.eq(ID))))
                        .from(notes)
                        .orderBy(ID)
                        .fetch(r -> r.value1() + " " + r.value2().getValues(LABEL))))
                .as("MULTISET: beta's tag on alpha two is not alpha's")
                .containsExactly("alpha one [alpha tag]", "alpha two []");
        Table<?> derived = select(BODY).from(notes).asTable("d");
        assertThat(asAlpha(() -> dsl.selectCount().from(derived).fetchOne(0, Integer.class)))
                .as("derived table")
                .isEqualTo(2);
        CommonTableExpression<Record2<Long, String>> cte =
                name("x").fields("id", "body").as(select(ID, BODY).from(notes));
        assertThat(asAlpha(() -> dsl.with(cte)
                        .select(cte.field("body", String.class))
                        .from(cte)
                        .fetch(0, String.class)))
                .as("CTE")
                .containsExactlyInAnyOrder("alpha one", "alpha two");
        assertThat(asAlpha(() -> dsl.select(BODY)
                        .from(notes)
                        .unionAll(select(LABEL).from(tags))
                        .fetch(0, String.class)))
                .as("UNION ALL")
                .containsExactlyInAnyOrder("alpha one", "alpha two", "alpha tag");
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void insert_writesTheCurrentTenant(IsolationModel model) throws Exception {
        setUp(model);
        long single = IDS.incrementAndGet();
        long copied = IDS.incrementAndGet();
        TenantContext.where(alpha).run(() -> {
            dsl.insertInto(notes).set(ID, single).set(BODY, "set style").execute();
            dsl.insertInto(notes, ID, BODY)
                    .select(select(ID.plus(copied - alphaNote), BODY.concat(" copy"))
                            .from(notes)
                            .where(ID.eq(alphaNote)))
                    .execute();
        });
        assertThat(asAlpha(() -> dsl.select(BODY).from(notes).orderBy(ID).fetch(BODY)))
                .containsExactly("alpha one", "alpha two", "set style", "alpha one copy");
        assertThat(betaBodies()).containsExactly("beta secret");
        if (model == IsolationModel.SHARED) {
            assertThat(TenantContext.system()
                            .call(() -> dsl.select(NOTE_TENANT)
                                    .from(notes)
                                    .where(ID.in(single, copied))
                                    .fetch(NOTE_TENANT)))
                    .containsOnly(alpha.value());
        }
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void insert_namingTheCurrentTenant_isAccepted_andNamingAnother_isRefused(IsolationModel model) throws Exception {
        setUp(model);
        long own = IDS.incrementAndGet();
        TenantContext.where(alpha)
                .run(() -> dsl.insertInto(notes, ID, NOTE_TENANT, BODY)
                        .values(own, alpha.value(), "named myself")
                        .execute());
        assertThatThrownBy(() -> TenantContext.where(alpha)
                        .run(() -> dsl.insertInto(notes, ID, NOTE_TENANT, BODY)
                                .values(IDS.incrementAndGet(), beta.value(), "planted")
                                .execute()))
                .isInstanceOf(TenantIsolationException.class)
                .hasMessageContaining("names tenant")
                .hasMessageContaining(alpha.value());
        assertThatThrownBy(() -> TenantContext.where(alpha)
                        .run(() -> dsl.insertInto(notes, ID, NOTE_TENANT, BODY)
                                .select(select(ID.plus(100_000), NOTE_TENANT, BODY)
                                        .from(notes))
                                .execute()))
                .isInstanceOf(TenantIsolationException.class)
                .hasMessageContaining("leave the column out");
        assertThat(betaBodies()).containsExactly("beta secret");
        assertThat(asAlpha(() -> dsl.fetchCount(notes))).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void updateAndDelete_touchOnlyTheCurrentTenant(IsolationModel model) throws Exception {
        setUp(model);
        assertThat(asAlpha(() -> dsl.update(notes)
                        .set(BODY, "pwned")
                        .where(ID.eq(betaNote))
                        .execute()))
                .as("update by another tenant's id")
                .isZero();
        assertThat(asAlpha(() -> dsl.update(notes)
                        .set(BODY, "pwned")
                        .where(ID.in(select(NOTE_ID).from(tags)))
                        .execute()))
                .as("update through a subquery")
                .isEqualTo(1);
        assertThat(asAlpha(() -> dsl.update(notes).set(BODY, "all mine").execute()))
                .as("unrestricted update")
                .isEqualTo(2);
        assertThat(betaBodies()).containsExactly("beta secret");

        assertThat(asAlpha(() -> dsl.deleteFrom(notes).where(ID.eq(betaNote)).execute()))
                .isZero();
        assertThat(asAlpha(() -> dsl.deleteFrom(tags).execute())).isEqualTo(1);
        assertThat(asAlpha(() -> dsl.deleteFrom(notes).execute())).isEqualTo(2);
        assertThat(betaBodies()).containsExactly("beta secret");
        assertThat(betaLabels()).containsExactly("beta tag");
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void update_cannotMoveRowsToAnotherTenant(IsolationModel model) throws Exception {
        setUp(model);
        assertThatThrownBy(() -> TenantContext.where(alpha)
                        .run(() ->
                                dsl.update(notes).set(NOTE_TENANT, beta.value()).execute()))
                .isInstanceOf(TenantIsolationException.class)
                .hasMessageContaining("cannot be moved to another tenant");
        assertThat(asAlpha(() -> dsl.fetchCount(notes))).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void upsertOfAnotherTenantsId_neverOverwritesIt(IsolationModel model) throws Exception {
        setUp(model);
        try {
            TenantContext.where(alpha)
                    .run(() -> dsl.insertInto(notes, ID, BODY)
                            .values(betaNote, "pwned by upsert")
                            .onConflict(ID)
                            .doUpdate()
                            .set(BODY, "pwned by upsert")
                            .execute());
        } catch (RuntimeException refused) {
            // a duplicate key refused by the database is a fine answer too
        }
        assertThat(betaBodies()).containsExactly("beta secret");
        TenantContext.where(alpha)
                .run(() -> dsl.insertInto(notes, ID, BODY)
                        .values(alphaNote, "upserted")
                        .onConflict(ID)
                        .doUpdate()
                        .set(BODY, "upserted")
                        .execute());
        assertThat(asAlpha(() ->
                        dsl.select(BODY).from(notes).where(ID.eq(alphaNote)).fetchOne(BODY)))
                .isEqualTo("upserted");
    }

    @ParameterizedTest
    @EnumSource(
            value = IsolationModel.class,
            names = {"SCHEMA", "DATABASE"})
    void plainSql_isIsolatedByTheConnection(IsolationModel model) throws Exception {
        setUp(model);
        assertThat(asAlpha(() -> dsl.fetch("select \"body\" from \"notes\"").getValues(0, String.class)))
                .containsExactlyInAnyOrder("alpha one", "alpha two");
    }

    @Test
    void schemaModel_withoutAnInputSchema_rendersUnqualified_andTheConnectionDecides() throws Exception {
        setUp(IsolationModel.SCHEMA, false);
        assertThat(asAlpha(() -> dsl.select(BODY)
                        .from(table(name(inputSchema(), "notes")))
                        .fetch(BODY)))
                .as("even a table qualified with the default schema is rendered unqualified")
                .containsExactlyInAnyOrder("alpha one", "alpha two");
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void merge_isRefused(IsolationModel model) throws Exception {
        setUp(model);
        assertThatThrownBy(() -> TenantContext.where(alpha)
                        .run(() -> dsl.mergeInto(notes)
                                .using(selectOne())
                                .on(ID.eq(betaNote))
                                .whenMatchedThenUpdate()
                                .set(BODY, "pwned")
                                .execute()))
                .isInstanceOf(TenantIsolationException.class)
                .hasMessageContaining("MERGE INTO notes");
        assertThat(betaBodies()).containsExactly("beta secret");
    }

    /** Generated code's {@code NOTES.as("n")} is the table's own class carrying the alias: still scoped. */
    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void aliasedGeneratedTables_seeOnlyTheCurrentTenant(IsolationModel model) throws Exception {
        setUp(model);
        GeneratedTables.Notes n = GeneratedTables.Notes.NOTES.as(DSL.name("n"));
        assertThat(asAlpha(() -> dsl.select(n.BODY).from(n).orderBy(n.ID).fetch(n.BODY)))
                .containsExactly("alpha one", "alpha two");
        assertThat(asAlpha(() -> dsl.update(n)
                        .set(n.BODY, "pwned")
                        .where(n.ID.eq(betaNote))
                        .execute()))
                .isZero();
        assertThat(asAlpha(() -> dsl.deleteFrom(n).where(n.ID.eq(betaNote)).execute()))
                .isZero();
        assertThat(betaBodies()).containsExactly("beta secret");
        GeneratedTables.Notes notes = GeneratedTables.Notes.NOTES;
        assertThat(asAlpha(() -> dsl.select(notes.BODY)
                        .from(notes.where(notes.BODY.eq("beta secret")))
                        .fetch(notes.BODY)))
                .as("an inline derived table, Table.where(...)")
                .isEmpty();
        assertThat(asAlpha(() -> dsl.update(notes.where(notes.ID.eq(betaNote)))
                        .set(notes.BODY, "pwned")
                        .execute()))
                .as("UPDATE of an inline derived table")
                .isZero();
        assertThat(asAlpha(
                        () -> dsl.deleteFrom(notes.where(notes.ID.eq(betaNote))).execute()))
                .as("DELETE from an inline derived table")
                .isZero();
        assertThat(betaBodies()).containsExactly("beta secret");
    }

    /**
     * An implicit join from generated code's path ({@code TAGS.note().BODY}) reaches the joined
     * table too: beta's tag planted on alpha's note never shows alpha's body.
     */
    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void implicitJoins_throughGeneratedPaths_reachOnlyTheCurrentTenantsRows(IsolationModel model) throws Exception {
        setUp(model);
        GeneratedTables.Tags generatedTags = GeneratedTables.Tags.TAGS;
        List<String> bodies = TenantContext.where(beta)
                .call(() -> dsl.select(generatedTags.LABEL, generatedTags.note().BODY)
                        .from(generatedTags)
                        .fetch(generatedTags.note().BODY));
        assertThat(bodies).as("beta's tag points at alpha's note").containsOnlyNulls();
        assertThat(TenantContext.where(beta)
                        .call(() -> dsl.select(generatedTags.LABEL)
                                .from(generatedTags)
                                .where(generatedTags.note().BODY.eq("alpha two"))
                                .fetch(generatedTags.LABEL)))
                .as("nor can beta filter on it")
                .isEmpty();
        GeneratedTables.Notes.NotesPath note = generatedTags.note();
        assertThat(TenantContext.where(beta)
                        .call(() -> dsl.select(generatedTags.LABEL, note.BODY)
                                .from(generatedTags)
                                .leftJoin(note)
                                .fetch(note.BODY)))
                .as("an explicit path join")
                .containsOnlyNulls();
        assertThat(TenantContext.where(beta)
                        .call(() -> dsl.select(note.BODY)
                                .from(generatedTags)
                                .join(note)
                                .fetch(note.BODY)))
                .as("an explicit inner path join")
                .isEmpty();
        assertThat(TenantContext.where(beta)
                        .call(() -> dsl.update(generatedTags)
                                .set(generatedTags.LABEL, "probed")
                                .where(generatedTags.note().BODY.eq("alpha two"))
                                .execute()))
                .as("an UPDATE filtering on the path: alpha's body is no oracle")
                .isZero();
        assertThat(TenantContext.where(beta)
                        .call(() -> dsl.deleteFrom(generatedTags)
                                .where(generatedTags.note().BODY.eq("alpha two"))
                                .execute()))
                .as("a DELETE filtering on the path")
                .isZero();
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void truncate_ofATenantTable_isRefused_andEveryRowStays(IsolationModel model) throws Exception {
        setUp(model);
        assertThatThrownBy(() ->
                        TenantContext.where(alpha).run(() -> dsl.truncate(notes).execute()))
                .isInstanceOf(TenantIsolationException.class)
                .hasMessageContaining("TRUNCATE notes would remove the rows of every tenant")
                .hasMessageContaining("deleteFrom(notes)");
        assertThat(asAlpha(() -> dsl.fetchCount(notes))).isEqualTo(2);
        assertThat(betaBodies()).containsExactly("beta secret");
    }

    @Test
    void truncate_ofAGlobalTable_runs_butNotWithCascade() throws Exception {
        setUp(IsolationModel.SHARED);
        database.execute("CREATE TABLE \"regions\" (\"id\" BIGINT PRIMARY KEY)");
        database.execute("INSERT INTO \"regions\" VALUES (1)");
        Table<?> regions = table(name(inputSchema(), "regions"));
        assertThatThrownBy(() -> TenantContext.where(alpha)
                        .run(() -> dsl.truncate(regions).cascade().execute()))
                .isInstanceOf(TenantIsolationException.class)
                .hasMessageContaining("CASCADE")
                .hasMessageContaining("regions");
        assertThat(asAlpha(() -> dsl.fetchCount(regions))).isEqualTo(1);
        TenantContext.where(alpha).run(() -> dsl.truncate(regions).execute());
        assertThat(asAlpha(() -> dsl.fetchCount(regions))).isZero();
        assertThat(betaBodies()).containsExactly("beta secret");
    }

    @Test
    void ddl_inASharedTenantsSession_isRefused_butTemporaryTablesAreTheSessions_andTheSystemScopeMigrates()
            throws Exception {
        setUp(IsolationModel.SHARED);
        Table<?> scratch = table(name(inputSchema(), "scratch"));
        List<Runnable> changes = List.of(
                () -> dsl.dropTable(notes).execute(),
                () -> dsl.alterTable(notes)
                        .addColumn("pinned", SQLDataType.BOOLEAN)
                        .execute(),
                () -> dsl.createIndex("notes_body").on(notes, BODY).execute(),
                () -> dsl.createTable(scratch).column("id", SQLDataType.BIGINT).execute(),
                () -> dsl.dropTable(tags).cascade().execute(),
                () -> dsl.batch(dsl.dropTable(tags)).execute());
        for (Runnable change : changes) {
            assertThatThrownBy(() -> TenantContext.where(alpha).run(change))
                    .isInstanceOf(TenantIsolationException.class)
                    .hasMessageContaining("DDL in the session of shared-model tenant '" + alpha + "'")
                    .hasMessageContaining("TenantContext.system()");
        }
        assertThat(asAlpha(() -> dsl.fetchCount(notes))).isEqualTo(2);
        assertThat(betaBodies()).containsExactly("beta secret");
        assertThat(betaLabels()).hasSize(1);

        int counted = asAlpha(() -> dsl.transactionResult(trx -> {
            DSLContext session = DSL.using(trx);
            session.createTemporaryTable("tenancy_tmp")
                    .column("id", SQLDataType.BIGINT)
                    .execute();
            session.insertInto(table(name("tenancy_tmp"))).values(1L).execute();
            int n = session.fetchCount(table(name("tenancy_tmp")));
            session.dropTemporaryTable("tenancy_tmp").execute();
            return n;
        }));
        assertThat(counted).as("a temporary table lives in the session").isEqualTo(1);

        TenantContext.system()
                .run(() -> dsl.alterTable(notes)
                        .addColumn("pinned", SQLDataType.BOOLEAN.default_(false))
                        .execute());
        assertThat(asAlpha(() -> dsl.fetchCount(notes))).isEqualTo(2);
    }

    @Test
    void ddl_inASchemaTenantsSession_changesItsOwnSchema() throws Exception {
        setUp(IsolationModel.SCHEMA);
        Table<?> scratch = table(name(inputSchema(), "scratch"));
        TenantContext.where(alpha)
                .run(() -> dsl.createTable(scratch)
                        .column("id", SQLDataType.BIGINT)
                        .execute());
        assertThat(asAlpha(() -> dsl.fetchCount(scratch))).isZero();
        assertThatThrownBy(() -> TenantContext.where(beta).call(() -> dsl.fetchCount(scratch)))
                .as("created in alpha's schema only")
                .isInstanceOf(org.jooq.exception.DataAccessException.class);
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void aQuery_runsAsTheTenantThatExecutesIt(IsolationModel model) throws Exception {
        setUp(model);
        ResultQuery<?> bodies = asAlpha(() -> dsl.select(BODY).from(notes));
        assertThat(TenantContext.where(beta).call(() -> bodies.fetch(0, String.class)))
                .containsExactly("beta secret");
        assertThat(TenantContext.where(alpha).call(() -> bodies.fetch(0, String.class)))
                .containsExactlyInAnyOrder("alpha one", "alpha two");
        assertThatThrownBy(bodies::fetch).isInstanceOf(NoTenantBoundException.class);
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void whatJooqDerivesForOneTenant_isRefusedAsAnother(IsolationModel model) throws Exception {
        setUp(model);
        TenantContext.where(alpha)
                .run(() -> dsl.transaction(tx -> {
                    assertThatThrownBy(() -> TenantContext.where(beta)
                                    .run(() -> tx.dsl().selectFrom(notes).fetch()))
                            .isInstanceOf(TenantIsolationException.class)
                            .hasMessageContaining("built for tenant '" + alpha + "'")
                            .hasMessageContaining("as tenant '" + beta + "'");
                    assertThat(tx.dsl().fetchCount(notes)).isEqualTo(2);
                }));
    }

    @Test
    void nothingBound_failsClosed() throws Exception {
        setUp(IsolationModel.SHARED);
        assertThatThrownBy(() -> dsl.selectFrom(notes).fetch()).isInstanceOf(NoTenantBoundException.class);
        assertThatThrownBy(() -> dsl.deleteFrom(notes).execute()).isInstanceOf(NoTenantBoundException.class);
        assertThat(TenantContext.system().call(() -> dsl.fetchCount(notes))).isEqualTo(3);
    }

    @Test
    void systemScope_reachesThePlatformDatabase_unscoped() throws Exception {
        setUp(IsolationModel.SHARED);
        assertThat(TenantContext.system().call(() -> dsl.fetchCount(notes))).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(IsolationModel.class)
    void transactions_runAsTheCurrentTenant(IsolationModel model) throws Exception {
        setUp(model);
        long id = IDS.incrementAndGet();
        assertThatThrownBy(() -> TenantContext.where(alpha)
                        .run(() -> dsl.transaction(tx -> {
                            tx.dsl()
                                    .insertInto(notes, ID, BODY)
                                    .values(id, "rolled back")
                                    .execute();
                            tx.dsl().update(notes).set(BODY, "rolled back").execute();
                            throw new IllegalStateException("boom");
                        })))
                .hasMessageContaining("boom");
        assertThat(asAlpha(() -> dsl.select(BODY).from(notes).orderBy(ID).fetch(BODY)))
                .containsExactly("alpha one", "alpha two");
        TenantContext.where(alpha)
                .run(() -> dsl.transaction(tx -> tx.dsl()
                        .insertInto(notes, ID, BODY)
                        .values(id, "committed")
                        .execute()));
        assertThat(asAlpha(() -> dsl.fetchCount(notes))).isEqualTo(3);
        assertThat(betaBodies()).containsExactly("beta secret");
    }
}
