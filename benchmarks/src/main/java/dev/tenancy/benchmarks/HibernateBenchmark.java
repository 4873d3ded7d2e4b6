package dev.tenancy.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.context.TenantScope;
import dev.tenancy.hibernate.TenancyHibernate;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.TenantDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.MultiTenancySettings;
import org.hibernate.context.spi.CurrentTenantIdentifierResolver;
import org.hibernate.engine.jdbc.connections.spi.MultiTenantConnectionProvider;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
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
 * One transaction that finds a row by id and updates it, on PostgreSQL: through Hibernate with
 * Tenancy (shared model, {@code @TenantId}, connections from {@code TenantDataSource}) against
 * plain Hibernate over a plain HikariCP pool of the same size, and against Hibernate's own
 * multi-tenancy without Tenancy ({@code @TenantId} and a resolver over a plain pool); same table,
 * same run.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 10, time = 2) // ~1,000 transactions a second: see HibernateInterleavedBenchmark
@Measurement(iterations = 5, time = 2)
@Fork(2)
@State(Scope.Benchmark)
public class HibernateBenchmark {
    private static final String ADMIN_URL = env("TENANCY_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String USER = env("TENANCY_PG_USER", "postgres");
    private static final String DB = "tenancy_bench_hibernate";

    private HikariDataSource raw;
    private HikariDataSource bareRaw;
    private TenantDataSource routed;
    private SessionFactory plain;
    private SessionFactory bare;
    private HikariDataSource providerRaw;
    private SessionFactory bareWithProvider;
    private SessionFactory tenancy;
    private TenantScope acme;
    private int n;

    @Setup
    public void setUp() throws SQLException {
        admin("DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
        admin("CREATE DATABASE " + DB);
        String url = ADMIN_URL.replaceFirst("/[^/?]+(\\?|$)", "/" + DB + "$1");
        try (Connection c = DriverManager.getConnection(url, USER, "");
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE notes (id BIGINT PRIMARY KEY, tenant_id VARCHAR(48) NOT NULL, body VARCHAR(200))");
            s.execute("INSERT INTO notes VALUES (1, 'acme', 'x'), (2, 'globex', 'y')");
        }
        TenantCatalog catalog =
                TenantCatalog.cached(TenantCatalog.inMemory(AuditLog.inMemory()), Duration.ofMinutes(5));
        catalog.register(
                TenantRegistration.builder(TenantId.of("acme"), "Acme")
                        .isolation(IsolationModel.SHARED)
                        .active()
                        .build(),
                Actor.system("bench"));
        acme = TenantContext.where(TenantId.of("acme"));
        routed = TenantDataSource.builder()
                .allowInsecureRole() // connects as the test server's superuser
                .catalog(catalog)
                .server(DatabaseServer.of("default", url, USER, "").withMaximumPoolSize(2))
                .build();
        tenancy = new HibernatePersistenceConfiguration("tenancy")
                .managedClass(BenchNote.class)
                .properties(
                        TenancyHibernate.builder().dataSource(routed).build().properties())
                .createEntityManagerFactory();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(USER);
        config.setMaximumPoolSize(2);
        raw = new HikariDataSource(config);
        plain = new HibernatePersistenceConfiguration("plain")
                .managedClass(PlainNote.class)
                .property("hibernate.connection.datasource", raw)
                .createEntityManagerFactory();
        // Hibernate's own multi-tenancy without Tenancy: @TenantId, a resolver, a plain pool.
        bareRaw = new HikariDataSource(config);
        bare = new HibernatePersistenceConfiguration("bare")
                .managedClass(BenchNote.class)
                .property("hibernate.connection.datasource", bareRaw)
                .property(MultiTenancySettings.MULTI_TENANT_IDENTIFIER_RESOLVER, new FixedTenant())
                .createEntityManagerFactory();
        // The same, with connections through Hibernate's multi-tenant connection SPI, as Tenancy's.
        providerRaw = new HikariDataSource(config);
        bareWithProvider = new HibernatePersistenceConfiguration("bare-provider")
                .managedClass(BenchNote.class)
                .property(MultiTenancySettings.MULTI_TENANT_CONNECTION_PROVIDER, new PlainPoolProvider(providerRaw))
                .property(MultiTenancySettings.MULTI_TENANT_IDENTIFIER_RESOLVER, new FixedTenant())
                .createEntityManagerFactory();
    }

    /**
     * Hibernate's connection SPI for multi-tenancy over a plain pool, as Tenancy plugs in: the
     * {@code bareWithProvider} case, to tell Hibernate's cost of the SPI from Tenancy's own.
     */
    private static final class PlainPoolProvider implements MultiTenantConnectionProvider<String> {
        private final DataSource pool;

        PlainPoolProvider(DataSource pool) {
            this.pool = pool;
        }

        @Override
        public Connection getAnyConnection() throws SQLException {
            return pool.getConnection();
        }

        @Override
        public void releaseAnyConnection(Connection connection) throws SQLException {
            connection.close();
        }

        @Override
        public Connection getConnection(String tenantIdentifier) throws SQLException {
            return pool.getConnection();
        }

        @Override
        public void releaseConnection(String tenantIdentifier, Connection connection) throws SQLException {
            connection.close();
        }

        @Override
        public boolean supportsAggressiveRelease() {
            return false;
        }

        @Override
        public boolean isUnwrappableAs(Class<?> unwrapType) {
            return false;
        }

        @Override
        public <T> T unwrap(Class<T> unwrapType) {
            throw new IllegalArgumentException(unwrapType.getName());
        }
    }

    /** The tenant of the bare case: always acme. */
    private static final class FixedTenant implements CurrentTenantIdentifierResolver<String> {
        @Override
        public String resolveCurrentTenantIdentifier() {
            return "acme";
        }

        @Override
        public boolean validateExistingCurrentSessions() {
            return false;
        }
    }

    @TearDown
    public void tearDown() throws SQLException {
        tenancy.close();
        plain.close();
        bare.close();
        bareWithProvider.close();
        providerRaw.close();
        routed.close();
        raw.close();
        bareRaw.close();
        admin("DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
    }

    @Benchmark
    public String plainHibernate() {
        return plain.fromTransaction(s -> {
            PlainNote note = s.find(PlainNote.class, 1L);
            note.body = "v" + (n++ & 7);
            return note.body;
        });
    }

    /** Hibernate's bare multi-tenancy hooks: {@code @TenantId} and a resolver, no Tenancy. */
    @Benchmark
    public String bareHibernateTenantId() {
        return bare.fromTransaction(s -> {
            BenchNote note = s.find(BenchNote.class, 1L);
            note.body = "v" + (n++ & 7);
            return note.body;
        });
    }

    /** The bare hooks with connections through Hibernate's multi-tenant connection SPI over a plain pool. */
    @Benchmark
    public String bareHibernateTenantIdWithProvider() {
        return bareWithProvider.fromTransaction(s -> {
            BenchNote note = s.find(BenchNote.class, 1L);
            note.body = "v" + (n++ & 7);
            return note.body;
        });
    }

    @Benchmark
    public String tenancyHibernate() {
        return acme.call(() -> tenancy.fromTransaction(s -> {
            BenchNote note = s.find(BenchNote.class, 1L);
            note.body = "v" + (n++ & 7);
            return note.body;
        }));
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(ADMIN_URL, USER, "");
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
