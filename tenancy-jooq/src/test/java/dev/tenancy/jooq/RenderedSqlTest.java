package dev.tenancy.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.selectOne;
import static org.jooq.impl.DSL.table;

import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.provision.SharedTable;
import dev.tenancy.testkit.TestDatabase;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SQL each tenant's statements render to: where the tenant lands, and where it must not. */
class RenderedSqlTest {
    private static final TenantId SHARED = TenantId.of("acme");
    private static final TenantId SCHEMA = TenantId.of("globex");
    private static final Table<?> NOTES = table(name("public", "notes"));
    private static final Table<?> TAGS = table(name("public", "tags"));
    private static final Field<Long> ID = field(name("notes", "id"), Long.class);
    private static final Field<String> BODY = field(name("notes", "body"), String.class);
    private static final Field<Long> NOTE_ID = field(name("tags", "note_id"), Long.class);

    private TestDatabase database;
    private TenantDataSource dataSource;
    private DSLContext dsl;

    @BeforeEach
    void setUp() {
        database = TestDatabase.h2();
        TenantCatalog catalog = TenantCatalog.inMemory(AuditLog.inMemory());
        catalog.register(
                TenantRegistration.builder(SHARED, "Acme")
                        .isolation(IsolationModel.SHARED)
                        .active()
                        .build(),
                Actor.system("test"));
        catalog.register(
                TenantRegistration.builder(SCHEMA, "Globex")
                        .isolation(IsolationModel.SCHEMA)
                        .active()
                        .build(),
                Actor.system("test"));
        dataSource = TenantDataSource.builder()
                .allowInsecureRole() // connects as the test server's superuser
                .catalog(catalog)
                .server(DatabaseServer.of("default", database.jdbcUrl(), database.user(), database.password()))
                .build();
        dsl = TenancyJooq.builder()
                .dataSource(dataSource)
                .dialect(SQLDialect.POSTGRES)
                .inputSchema("public")
                .tenantTable(SharedTable.of("notes", "tenant_id"))
                .tenantTable(SharedTable.of("tags", "tenant_id"))
                .build()
                .dsl();
    }

    @AfterEach
    void tearDown() {
        dataSource.close();
        database.close();
    }

    private String sql(TenantId tenant, Query query) {
        return TenantContext.where(tenant).call(() -> dsl.renderInlined(query));
    }

    @Test
    void sharedSelect_getsThePredicateInWhere() {
        assertThat(sql(SHARED, dsl.select(BODY).from(NOTES).where(ID.eq(1L))))
                .isEqualTo("select \"notes\".\"body\" from \"public\".\"notes\" where (\"notes\".\"id\" = 1"
                        + " and \"notes\".\"tenant_id\" = 'acme')");
    }

    @Test
    void leftJoin_getsTheOptionalSidesPredicateInOn() {
        assertThat(sql(SHARED, dsl.select(BODY).from(NOTES).leftJoin(TAGS).on(NOTE_ID.eq(ID))))
                .isEqualTo("select \"notes\".\"body\" from \"public\".\"notes\" left outer join \"public\".\"tags\""
                        + " on (\"tags\".\"note_id\" = \"notes\".\"id\" and \"tags\".\"tenant_id\" = 'acme')"
                        + " where \"notes\".\"tenant_id\" = 'acme'");
    }

    @Test
    void aliasedTables_areQualifiedByTheirAlias() {
        Table<?> n = NOTES.as("n");
        assertThat(sql(SHARED, dsl.selectCount().from(n)))
                .isEqualTo("select count(*) from \"public\".\"notes\" as \"n\" where \"n\".\"tenant_id\" = 'acme'");
    }

    @Test
    void generatedTablesAliased_areKnownByTheirClass() {
        GeneratedTables.Notes n = GeneratedTables.Notes.NOTES.as("n");
        assertThat(sql(SHARED, dsl.selectCount().from(n)))
                .isEqualTo("select count(*) from \"notes\" as \"n\" where \"n\".\"tenant_id\" = 'acme'");
    }

    @Test
    void aGeneratedTableRegisteredByInstance_isKnownUnderAnAlias_withoutAStaticInstance() {
        GeneratedTables.Events events = new GeneratedTables.Events();
        DSLContext registered = TenancyJooq.builder()
                .dataSource(dataSource)
                .dialect(SQLDialect.POSTGRES)
                .tenantTable(events, events.TENANT_ID)
                .build()
                .dsl();
        assertThat(TenantContext.where(SHARED)
                        .call(() -> registered.renderInlined(
                                registered.selectCount().from(events.as("e")))))
                .isEqualTo("select count(*) from \"events\" as \"e\" where \"e\".\"tenant_id\" = 'acme'");
    }

    @Test
    void implicitJoins_getTheJoinedTablesPredicateInOn_besideTheKey() {
        GeneratedTables.Tags tags = GeneratedTables.Tags.TAGS;
        assertThat(sql(SHARED, dsl.select(tags.LABEL, tags.note().BODY).from(tags)))
                .matches("select \"tags\"\\.\"label\", \"(alias_\\d+)\"\\.\"body\" from \\(\"tags\" left outer join"
                        + " \"notes\" as \"\\1\" on \\(\"tags\"\\.\"note_id\" = \"\\1\"\\.\"id\""
                        + " and \"\\1\"\\.\"tenant_id\" = 'acme'\\)\\) where \"tags\"\\.\"tenant_id\" = 'acme'");
    }

    @Test
    void explicitPathJoins_keepTheKey_andGetThePredicate() {
        GeneratedTables.Tags tags = GeneratedTables.Tags.TAGS;
        GeneratedTables.Notes.NotesPath note = tags.note();
        String sql = sql(SHARED, dsl.select(note.BODY).from(tags).leftJoin(note));
        assertThat(sql)
                .contains("left outer join \"notes\"")
                .contains("\"tags\".\"note_id\" = ")
                .containsPattern("on \\(.* and \"alias_\\d+\"\\.\"tenant_id\" = 'acme'\\)")
                .endsWith(" where \"tags\".\"tenant_id\" = 'acme'");
    }

    @Test
    void outerJoinsOnAKey_keepTheKey_andGetThePredicate() {
        GeneratedTables.Tags tags = GeneratedTables.Tags.TAGS;
        GeneratedTables.Notes notes = GeneratedTables.Notes.NOTES;
        assertThat(sql(SHARED, dsl.select(notes.BODY).from(tags).leftJoin(notes).onKey()))
                .isEqualTo("select \"notes\".\"body\" from \"tags\" left outer join \"notes\" on"
                        + " (\"tags\".\"note_id\" = \"notes\".\"id\" and \"notes\".\"tenant_id\" = 'acme')"
                        + " where \"tags\".\"tenant_id\" = 'acme'");
    }

    @Test
    void inlineDerivedTables_areScopedAsTheirTable() {
        GeneratedTables.Notes notes = GeneratedTables.Notes.NOTES;
        assertThat(sql(SHARED, dsl.select(notes.BODY).from(notes.where(notes.ID.eq(1L)))))
                .isEqualTo("select \"notes\".\"body\" from \"notes\" where (\"notes\".\"tenant_id\" = 'acme'"
                        + " and \"notes\".\"id\" = 1)");
        assertThat(sql(SHARED, dsl.deleteFrom(notes.where(notes.ID.eq(1L)))))
                .isEqualTo("delete from \"notes\" where (\"notes\".\"tenant_id\" = 'acme' and \"notes\".\"id\" = 1)");
    }

    @Test
    void tablesWithIndexHints_orSampled_areScopedAsTheirTable() {
        assertThat(sql(SHARED, dsl.selectCount().from(NOTES.useIndex("notes_tenant"))))
                .isEqualTo("select count(*) from \"public\".\"notes\" use index (\"notes_tenant\")"
                        + " where \"notes\".\"tenant_id\" = 'acme'");
        assertThat(sql(SHARED, dsl.selectCount().from(DSL.lateral(NOTES))))
                .endsWith(" where \"notes\".\"tenant_id\" = 'acme'");
        assertThat(sql(SHARED, dsl.selectCount().from(NOTES.tablesample(10))))
                .isEqualTo("select count(*) from \"public\".\"notes\" tablesample bernoulli (10)"
                        + " where \"notes\".\"tenant_id\" = 'acme'");
    }

    /**
     * Every method of jOOQ's {@code Table} that wraps a table in another table reference (all of
     * them as of 3.21, joins aside): the wrapped table still gets the tenant. A wrapper added by a
     * later jOOQ belongs here too.
     */
    @Test
    void everyTableWrapperOfJooqsApi_isScopedAsItsTable() {
        Map<String, Table<?>> wrapped = new LinkedHashMap<>();
        wrapped.put("as", NOTES.as("n"));
        wrapped.put("asTable", NOTES.asTable("n"));
        wrapped.put("where", NOTES.where(ID.eq(1L)));
        wrapped.put("whereExists", NOTES.whereExists(selectOne()));
        wrapped.put("whereNotExists", NOTES.whereNotExists(selectOne()));
        wrapped.put("tablesample", NOTES.tablesample(10));
        wrapped.put("tablesampleSystem", NOTES.tablesampleSystem(10));
        wrapped.put("tablesampleBernoulli", NOTES.tablesampleBernoulli(10));
        wrapped.put("withOrdinality", NOTES.withOrdinality());
        wrapped.put("useIndex", NOTES.useIndex("i"));
        wrapped.put("useIndexForJoin", NOTES.useIndexForJoin("i"));
        wrapped.put("useIndexForOrderBy", NOTES.useIndexForOrderBy("i"));
        wrapped.put("useIndexForGroupBy", NOTES.useIndexForGroupBy("i"));
        wrapped.put("ignoreIndex", NOTES.ignoreIndex("i"));
        wrapped.put("ignoreIndexForJoin", NOTES.ignoreIndexForJoin("i"));
        wrapped.put("ignoreIndexForOrderBy", NOTES.ignoreIndexForOrderBy("i"));
        wrapped.put("ignoreIndexForGroupBy", NOTES.ignoreIndexForGroupBy("i"));
        wrapped.put("forceIndex", NOTES.forceIndex("i"));
        wrapped.put("forceIndexForJoin", NOTES.forceIndexForJoin("i"));
        wrapped.put("forceIndexForOrderBy", NOTES.forceIndexForOrderBy("i"));
        wrapped.put("forceIndexForGroupBy", NOTES.forceIndexForGroupBy("i"));
        wrapped.put("lateral", DSL.lateral(NOTES));
        wrapped.forEach(
                (method, table) -> assertThat(sql(SHARED, dsl.selectCount().from(table)))
                        .as(method)
                        .containsPattern("\\.\"tenant_id\" = 'acme'"));
        Set<String> wrappers = Arrays.stream(Table.class.getMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()) && Table.class.isAssignableFrom(m.getReturnType()))
                .map(Method::getName)
                .filter(name -> !name.equals("join")
                        && !(name.endsWith("Join") && !name.contains("Index"))
                        && !name.endsWith("Apply"))
                .collect(Collectors.toSet());
        assertThat(wrapped.keySet())
                .as("a method of this jOOQ's Table that wraps the table and is not covered here")
                .containsAll(wrappers);
    }

    @Test
    void insert_getsTheTenantColumn() {
        assertThat(sql(SHARED, dsl.insertInto(NOTES, ID, BODY).values(7L, "x")))
                .isEqualTo(
                        "insert into \"public\".\"notes\" (\"id\", \"body\", \"tenant_id\") values (7, 'x', 'acme')");
    }

    @Test
    void subqueries_areScopedWhereTheyStand() {
        assertThat(sql(SHARED, dsl.deleteFrom(NOTES).where(ID.in(select(NOTE_ID).from(TAGS)))))
                .isEqualTo("delete from \"public\".\"notes\" where (\"notes\".\"id\" in (select \"tags\".\"note_id\""
                        + " from \"public\".\"tags\" where \"tags\".\"tenant_id\" = 'acme')"
                        + " and \"notes\".\"tenant_id\" = 'acme')");
    }

    @Test
    void schemaTenant_rendersTheInputSchemaAsItsOwn_andKeepsThePredicate() {
        assertThat(sql(SCHEMA, dsl.select(BODY).from(NOTES).where(ID.eq(1L))))
                .isEqualTo("select \"notes\".\"body\" from \"t_globex\".\"notes\" where (\"notes\".\"id\" = 1"
                        + " and \"notes\".\"tenant_id\" = 'globex')");
    }

    @Test
    void theSameQueryObject_rendersForWhicheverTenantRunsIt() {
        Query query = dsl.selectCount().from(NOTES);
        assertThat(sql(SHARED, query)).contains("\"public\".\"notes\"").contains("'acme'");
        assertThat(sql(SCHEMA, query)).contains("\"t_globex\".\"notes\"").contains("'globex'");
    }
}
