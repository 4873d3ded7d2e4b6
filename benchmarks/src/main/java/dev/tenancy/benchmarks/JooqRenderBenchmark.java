package dev.tenancy.benchmarks;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.context.TenantScope;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.jooq.TenancyJooq;
import dev.tenancy.provision.SharedTable;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.VisitContext;
import org.jooq.VisitListener;
import org.jooq.conf.MappedSchema;
import org.jooq.conf.RenderMapping;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What Tenancy adds to building and rendering a jOOQ statement (no database round trip): the
 * shared-model tenant predicate and the schema-per-tenant mapping, each against plain jOOQ
 * rendering the same SQL by hand (the predicate written out; a static render mapping) and against
 * plain jOOQ without either. Tenancy's variants include entering the tenant scope.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
@State(Scope.Benchmark)
public class JooqRenderBenchmark {
    private static final Table<?> NOTES = table(name("public", "notes"));
    private static final Table<?> TAGS = table(name("public", "tags"));
    private static final Field<Long> ID = field(name("notes", "id"), Long.class);
    private static final Field<String> BODY = field(name("notes", "body"), String.class);
    private static final Field<String> NOTE_TENANT = field(name("notes", "tenant_id"), String.class);
    private static final Field<Long> NOTE_ID = field(name("tags", "note_id"), Long.class);
    private static final Field<String> LABEL = field(name("tags", "label"), String.class);
    private static final Field<String> TAG_TENANT = field(name("tags", "tenant_id"), String.class);

    private TenantDataSource dataSource;
    private DSLContext plain;
    private DSLContext plainMapped;
    private DSLContext plainWithListener;
    private DSLContext tenancy;
    private DSLContext tenancyMappingOnly;
    private TenantScope shared;
    private TenantScope schema;
    private long id;

    @Setup
    public void setUp() throws java.sql.SQLException {
        TenantCatalog catalog =
                TenantCatalog.cached(TenantCatalog.inMemory(AuditLog.inMemory()), Duration.ofMinutes(5));
        for (var model : new IsolationModel[] {IsolationModel.SHARED, IsolationModel.SCHEMA}) {
            catalog.register(
                    TenantRegistration.builder(TenantId.of(model == IsolationModel.SHARED ? "acme" : "globex"), "t")
                            .isolation(model)
                            .active()
                            .build(),
                    Actor.system("bench"));
        }
        shared = TenantContext.where(TenantId.of("acme"));
        schema = TenantContext.where(TenantId.of("globex"));
        StubDriver.register(); // rendering only: no statement reaches a database
        dataSource = TenantDataSource.builder()
                .allowInsecureRole() // connects as the test server's superuser
                .catalog(catalog)
                .server(DatabaseServer.of("default", StubDriver.PREFIX + "render", "sa", ""))
                .build();
        tenancy = TenancyJooq.builder()
                .dataSource(dataSource)
                .dialect(SQLDialect.POSTGRES)
                .inputSchema("public")
                .tenantTable(SharedTable.of("notes", "tenant_id"))
                .tenantTable(SharedTable.of("tags", "tenant_id"))
                .build()
                .dsl();
        tenancyMappingOnly = TenancyJooq.builder()
                .dataSource(dataSource)
                .dialect(SQLDialect.POSTGRES)
                .inputSchema("public")
                .build()
                .dsl();
        plain = DSL.using(SQLDialect.POSTGRES);
        // The floor any VisitListener-based scoping starts from: jOOQ with a listener that does nothing.
        plainWithListener =
                DSL.using(new DefaultConfiguration().set(SQLDialect.POSTGRES).set(new VisitListener() {
                    @Override
                    public void visitStart(VisitContext context) {}
                }));
        plainMapped = DSL.using(
                SQLDialect.POSTGRES,
                new Settings()
                        .withRenderMapping(new RenderMapping()
                                .withSchemata(
                                        new MappedSchema().withInput("public").withOutput("t_globex"))));
    }

    @TearDown
    public void tearDown() {
        dataSource.close();
    }

    private static String select(DSLContext dsl, long id) {
        return dsl.select(ID, BODY).from(NOTES).where(ID.eq(id)).getSQL();
    }

    private static String join(DSLContext dsl, long id) {
        return dsl.select(BODY, LABEL)
                .from(NOTES)
                .join(TAGS)
                .on(NOTE_ID.eq(ID))
                .where(ID.gt(id))
                .orderBy(ID)
                .getSQL();
    }

    @Benchmark
    public String selectPlain() {
        return select(plain, id++);
    }

    /** Plain jOOQ with a VisitListener that does nothing: jOOQ's own cost of having a listener. */
    @Benchmark
    public String selectPlainWithNoOpListener() {
        return select(plainWithListener, id++);
    }

    @Benchmark
    public String selectPlainWithPredicateByHand() {
        return plain.select(ID, BODY)
                .from(NOTES)
                .where(ID.eq(id++).and(NOTE_TENANT.eq("acme")))
                .getSQL();
    }

    @Benchmark
    public String selectTenancyShared() {
        return shared.get(() -> select(tenancy, id++));
    }

    @Benchmark
    public String selectPlainStaticMapping() {
        return select(plainMapped, id++);
    }

    /** The schema mapping alone: no tenant tables registered. */
    @Benchmark
    public String selectTenancySchema() {
        return schema.get(() -> select(tenancyMappingOnly, id++));
    }

    /** A schema tenant whose tables also carry the tenant column: mapping and predicate. */
    @Benchmark
    public String selectTenancySchemaWithPredicate() {
        return schema.get(() -> select(tenancy, id++));
    }

    @Benchmark
    public String joinPlain() {
        return join(plain, id++);
    }

    @Benchmark
    public String joinPlainWithPredicatesByHand() {
        return plain.select(BODY, LABEL)
                .from(NOTES)
                .join(TAGS)
                .on(NOTE_ID.eq(ID))
                .where(ID.gt(id++).and(NOTE_TENANT.eq("acme")).and(TAG_TENANT.eq("acme")))
                .orderBy(ID)
                .getSQL();
    }

    @Benchmark
    public String joinTenancyShared() {
        return shared.get(() -> join(tenancy, id++));
    }

    @Benchmark
    public String joinPlainWithNoOpListener() {
        return join(plainWithListener, id++);
    }
}
