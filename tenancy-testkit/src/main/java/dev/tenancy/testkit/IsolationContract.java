package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.TenantId;
import dev.tenancy.TenantNotActiveException;
import dev.tenancy.TenantStatus;
import dev.tenancy.UnknownTenantException;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.context.TenantScope;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.TenantDataSource;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The isolation contract of {@link TenantDataSource} for one isolation model on one database:
 * every connection handed out is bound to exactly the current tenant, and no physical connection
 * reaches a borrower while carrying another tenant's binding. Extend it with {@link #kind()} and
 * {@link #model()}.
 *
 * <p>Each tenant has a table {@code notes(tenant_id, body)} where its model puts it: shared rows in
 * the platform database's default schema, a schema of its own, or a database of its own. Reads
 * through the shared model filter on the bound tenant setting, as row-level security does.
 */
public abstract class IsolationContract {

    protected abstract TestDatabase.Kind kind();

    protected abstract IsolationModel model();

    protected static final Actor ADMIN = Actor.system("isolation-test");

    protected TestDatabase database;
    protected TenantCatalog catalog;
    protected TenantDataSource dataSource;
    protected TenantId alpha;
    protected TenantId beta;
    private final List<TenantId> tenants = new ArrayList<>();

    @BeforeEach
    void setUpTenants() {
        database = TestDatabase.of(kind());
        catalog = TenantCatalog.inMemory(AuditLog.inMemory());
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        alpha = tenant("alpha-" + suffix);
        beta = tenant("beta-" + suffix);
        if (model() == IsolationModel.SHARED) {
            database.execute("CREATE TABLE notes (tenant_id VARCHAR(48) NOT NULL, body VARCHAR(200) NOT NULL)");
        }
        dataSource = newDataSource(1);
    }

    /** A data source whose shared pool has {@code poolSize} connections (1 forces physical reuse). */
    protected TenantDataSource newDataSource(int poolSize) {
        return TenantDataSource.builder()
                .allowInsecureRole() // connects as the test server's superuser
                .catalog(catalog)
                .server(DatabaseServer.of("default", database.jdbcUrl(), database.user(), database.password())
                        .withDatabaseUrlTemplate(database.databaseUrlTemplate())
                        .withMaximumPoolSize(poolSize)
                        .withTenantPoolSize(poolSize))
                .build();
    }

    @AfterEach
    void tearDown() {
        if (dataSource != null) {
            dataSource.close();
        }
        if (database != null) {
            database.close();
        }
    }

    /** Registers an active tenant of this contract's model and creates its schema or database. */
    protected TenantId tenant(String slug) {
        TenantId id = TenantId.of(slug);
        catalog.register(
                TenantRegistration.builder(id, slug).isolation(model()).active().build(), ADMIN);
        String table = "CREATE TABLE notes (tenant_id VARCHAR(48) NOT NULL, body VARCHAR(200) NOT NULL)";
        switch (model()) {
            case SHARED -> {}
            case SCHEMA -> {
                database.execute("CREATE SCHEMA \"" + id.schemaName() + "\"");
                database.execute(table.replace("notes", "\"" + id.schemaName() + "\".notes"));
            }
            case DATABASE -> {
                database.createDatabase(id.databaseName());
                database.executeIn(id.databaseName(), table);
            }
        }
        tenants.add(id);
        return id;
    }

    protected void insert(TenantId tenant, String body) throws SQLException {
        TenantContext.where(tenant).call(() -> {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement s = c.prepareStatement("INSERT INTO notes (tenant_id, body) VALUES (?, ?)")) {
                s.setString(1, tenant.value());
                s.setString(2, body);
                return s.executeUpdate();
            }
        });
    }

    /** The rows the tenant sees, filtered by the bound tenant for the shared model. */
    protected List<String> read(TenantId tenant) throws SQLException {
        return TenantContext.where(tenant).call(() -> {
            try (Connection c = dataSource.getConnection()) {
                return readOn(c, tenant);
            }
        });
    }

    private List<String> readOn(Connection c, TenantId tenant) throws SQLException {
        String sql = model() == IsolationModel.SHARED
                ? "SELECT tenant_id, body FROM notes WHERE tenant_id = ? ORDER BY body"
                : "SELECT tenant_id, body FROM notes ORDER BY body";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            if (model() == IsolationModel.SHARED) {
                s.setString(1, boundTenant(c, tenant));
            }
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + ":" + rs.getString(2));
                }
            }
            return rows;
        }
    }

    /**
     * The tenant the connection's session is bound to: on PostgreSQL the session setting row-level
     * security reads; on H2 (no session settings) the borrower's tenant.
     */
    private String boundTenant(Connection c, TenantId borrower) throws SQLException {
        if (kind() == TestDatabase.Kind.H2) {
            return borrower.value();
        }
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_setting('tenancy.tenant_id', true)")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private String currentSchema(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        kind() == TestDatabase.Kind.H2 ? "SELECT SCHEMA()" : "SELECT current_schema()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    @DisplayName("each tenant reads exactly its own rows")
    void readsAndWrites_stayWithTheirTenant() throws SQLException {
        insert(alpha, "a1");
        insert(beta, "b1");
        insert(alpha, "a2");

        assertThat(read(alpha)).containsExactly(alpha + ":a1", alpha + ":a2");
        assertThat(read(beta)).containsExactly(beta + ":b1");
    }

    @Test
    @DisplayName("one physical connection alternating between tenants is bound to each in turn")
    void pooledConnection_isReboundOnEveryTenantSwitch() throws SQLException {
        insert(alpha, "a");
        insert(beta, "b");
        for (int i = 0; i < 20; i++) {
            TenantId t = i % 2 == 0 ? alpha : beta;
            assertThat(read(t)).containsExactly(t + ":" + (t == alpha ? "a" : "b"));
        }
    }

    @Test
    @DisplayName("with nothing bound the connection is refused")
    void nothingBound_isRefused() {
        assertThatThrownBy(() -> dataSource.getConnection())
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08004"))
                .hasMessageContaining("No tenant is bound");
    }

    @Test
    @DisplayName("the system scope reaches the platform database, bound to no tenant")
    void systemScope_reachesThePlatformDatabase() throws Exception {
        database.execute("CREATE TABLE platform_marker (x INT)");
        TenantContext.system().call(() -> {
            try (Connection c = dataSource.getConnection();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM platform_marker")) {
                assertThat(rs.next()).isTrue();
                assertThat(currentSchema(c).toLowerCase(Locale.ROOT)).isEqualTo("public");
                if (kind() == TestDatabase.Kind.POSTGRESQL) {
                    assertThat(boundTenant(c, null)).isEmpty();
                }
            }
            return null;
        });
    }

    @Test
    @DisplayName("suspended, pending and unknown tenants are refused, naming why")
    void notActive_isRefused() {
        catalog.transition(beta, TenantStatus.SUSPENDED, ADMIN, "unpaid");
        assertThatThrownBy(() -> TenantContext.where(beta).call(dataSource::getConnection))
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("08004");
                    assertThat(e.getCause()).isInstanceOf(TenantNotActiveException.class);
                })
                .hasMessageContaining("is suspended");
        TenantId pending = TenantId.of("pending-" + UUID.randomUUID().toString().substring(0, 8));
        catalog.register(
                TenantRegistration.builder(pending, "P").isolation(model()).build(), ADMIN);
        assertThatThrownBy(() -> TenantContext.where(pending).call(dataSource::getConnection))
                .hasMessageContaining("pending approval");
        assertThatThrownBy(() -> TenantContext.where(TenantId.of("nobody")).call(dataSource::getConnection))
                .hasCauseInstanceOf(UnknownTenantException.class);
    }

    @Test
    @DisplayName("an archived tenant reads, and its writes fail")
    void archived_isReadOnly() throws SQLException {
        insert(alpha, "kept");
        catalog.transition(alpha, TenantStatus.ARCHIVED, ADMIN, "churned");

        assertThat(read(alpha)).containsExactly(alpha + ":kept");
        assertThatThrownBy(() -> insert(alpha, "new"))
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25006"));
        catalog.transition(alpha, TenantStatus.ACTIVE, ADMIN, "restored");
        insert(alpha, "again");
        assertThat(read(alpha)).containsExactly(alpha + ":again", alpha + ":kept");
    }

    @Test
    @DisplayName(
            "a read-only scope reads and cannot write, also in scopes entered inside it; the tenant writes again after")
    void readOnlyScope_readsButCannotWrite() throws SQLException {
        insert(alpha, "kept");
        TenantScope readOnly = TenantContext.where(alpha).readOnly();

        List<String> seen = readOnly.call(() -> {
            try (Connection c = dataSource.getConnection()) {
                return readOn(c, alpha);
            }
        });
        assertThat(seen).containsExactly(alpha + ":kept");
        assertThatThrownBy(() -> readOnly.call(() -> {
                    insert(alpha, "written while read-only");
                    return null;
                }))
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25006"));
        // The pool holds one connection: the next borrower gets the same one, bound for writing again.
        insert(alpha, "after");
        assertThat(read(alpha)).containsExactly(alpha + ":after", alpha + ":kept");
        assertThatThrownBy(() -> readOnly.call(() -> {
                    insert(beta, "another tenant, entered inside the read-only scope");
                    return null;
                }))
                .isInstanceOf(SQLException.class);
        assertThat(read(beta)).isEmpty();
    }

    @Test
    @DisplayName("an archived tenant's writes fail on every JDBC path: single, large, batched, plain and prepared")
    void archived_refusesEveryWritePath() throws SQLException {
        insert(alpha, "kept");
        catalog.transition(alpha, TenantStatus.ARCHIVED, ADMIN, "churned");
        String insert = "INSERT INTO notes (tenant_id, body) VALUES ('" + alpha + "', 'new')";
        String prepared = "INSERT INTO notes (tenant_id, body) VALUES (?, ?)";
        List<ThrowingWrite> writes = List.of(
                c -> c.createStatement().executeUpdate(insert),
                c -> c.createStatement().executeLargeUpdate(insert),
                c -> c.createStatement().execute(insert),
                c -> {
                    Statement s = c.createStatement();
                    s.addBatch(insert);
                    s.executeBatch();
                },
                c -> bound(c.prepareStatement(prepared)).executeUpdate(),
                c -> bound(c.prepareStatement(prepared)).executeLargeUpdate(),
                c -> {
                    PreparedStatement s = bound(c.prepareStatement(prepared));
                    s.addBatch();
                    s.executeBatch();
                },
                c -> {
                    PreparedStatement s = bound(c.prepareStatement(prepared));
                    s.addBatch();
                    s.executeLargeBatch();
                });
        for (int i = 0; i < writes.size(); i++) {
            ThrowingWrite write = writes.get(i);
            assertThatThrownBy(() -> TenantContext.where(alpha).call(() -> {
                        try (Connection c = dataSource.getConnection()) {
                            write.run(c);
                        }
                        return null;
                    }))
                    .as("write path %d", i)
                    .isInstanceOf(SQLException.class);
        }
        assertThat(read(alpha)).containsExactly(alpha + ":kept");
    }

    private PreparedStatement bound(PreparedStatement s) throws SQLException {
        s.setString(1, alpha.value());
        s.setString(2, "new");
        return s;
    }

    @FunctionalInterface
    private interface ThrowingWrite {
        void run(Connection c) throws SQLException;
    }

    /** Runs {@code poison} on a borrowed connection along one path to its session. */
    @FunctionalInterface
    private interface Poisoning {
        void run(Connection c, String poison) throws SQLException;
    }

    @Test
    @DisplayName("a borrower that changes its own binding does not pass it on")
    void poisonedConnection_isReboundBeforeTheNextBorrower() throws Exception {
        insert(alpha, "a");
        insert(beta, "b");
        List<String> poisons = new ArrayList<>();
        if (kind() == TestDatabase.Kind.POSTGRESQL) {
            String other = model() == IsolationModel.SCHEMA ? beta.schemaName() : "pg_catalog";
            poisons.add("SET search_path TO " + other);
            poisons.add("SELECT set_config('search_path', '" + other + "', false)");
            poisons.add("SELECT set_config('tenancy.tenant_id', '" + beta + "', false)");
            poisons.add("SET default_transaction_read_only TO on");
        } else {
            poisons.add("SET SCHEMA INFORMATION_SCHEMA");
        }
        // Every way tenant code can reach a statement on the session: the poison must not outlive the borrow.
        Map<String, Poisoning> paths = new LinkedHashMap<>();
        paths.put("directly", (c, poison) -> {
            try (Statement s = c.createStatement()) {
                s.execute(poison);
            }
        });
        // The connection metadata hands out, which the routed connection does not watch.
        paths.put("through metadata", (c, poison) -> {
            try (Statement s = c.getMetaData().getConnection().createStatement()) {
                s.execute(poison);
            }
        });
        paths.put("through a result set", (c, poison) -> {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.getStatement()).isSameAs(s);
                rs.getStatement().execute(poison);
            }
        });
        paths.put("through a call's result set", (c, poison) -> {
            try (CallableStatement call = c.prepareCall("SELECT 1");
                    ResultSet rs = call.executeQuery();
                    Statement s = rs.getStatement().getConnection().createStatement()) {
                assertThat(rs.getStatement()).isSameAs(call);
                s.execute(poison);
            }
        });
        paths.put("through an array", (c, poison) -> {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT ARRAY[1, 2]")) {
                rs.next();
                try (ResultSet elements = rs.getArray(1).getResultSet();
                        Statement leaked =
                                elements.getStatement().getConnection().createStatement()) {
                    assertThat(elements.getStatement()).isSameAs(s);
                    leaked.execute(poison);
                }
            }
        });
        // An array the connection builds, whose result sets the driver gives a statement.
        paths.put("through a built array", (c, poison) -> {
            String type = kind() == TestDatabase.Kind.H2 ? "INTEGER" : "int4";
            try (ResultSet elements = c.createArrayOf(type, new Object[] {1, 2}).getResultSet()) {
                assertThat(elements.getStatement())
                        .as("a built array's result set names no statement")
                        .isNull();
            }
        });
        if (kind() == TestDatabase.Kind.POSTGRESQL) {
            paths.put("through a ref cursor", (c, poison) -> {
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE OR REPLACE FUNCTION pg_temp.tenancy_cursor() RETURNS refcursor AS"
                            + " $$ DECLARE r refcursor; BEGIN OPEN r FOR SELECT 1; RETURN r; END $$"
                            + " LANGUAGE plpgsql");
                    try (ResultSet rs = s.executeQuery("SELECT pg_temp.tenancy_cursor()")) {
                        rs.next();
                        try (ResultSet cursor = (ResultSet) rs.getObject(1);
                                Statement leaked =
                                        cursor.getStatement().getConnection().createStatement()) {
                            assertThat(cursor.getStatement()).isSameAs(s);
                            leaked.execute(poison);
                        }
                    }
                }
                c.commit();
            });
        }
        for (String poison : poisons) {
            for (Map.Entry<String, Poisoning> path : paths.entrySet()) {
                TenantContext.where(alpha).call(() -> {
                    try (Connection c = dataSource.getConnection()) {
                        path.getValue().run(c, poison);
                    }
                    return null;
                });
                String what = path.getKey() + ": " + poison;
                assertThat(read(alpha)).as(what).containsExactly(alpha + ":a");
                assertThat(read(beta)).as(what).containsExactly(beta + ":b");
            }
        }
        // And the poisoned connection still writes where it should.
        insert(alpha, "b-after");
        assertThat(read(alpha)).containsExactly(alpha + ":a", alpha + ":b-after");
        // setSchema through JDBC, too.
        TenantContext.where(alpha).call(() -> {
            try (Connection c = dataSource.getConnection()) {
                c.setSchema(kind() == TestDatabase.Kind.H2 ? "INFORMATION_SCHEMA" : "pg_catalog");
            }
            return null;
        });
        assertThat(read(beta)).containsExactly(beta + ":b");
    }

    @Test
    @DisplayName("a transaction left open or aborted, or a borrower that throws, leaves nothing behind")
    void openAbortedOrThrowing_leavesTheNextBorrowerBound() throws Exception {
        insert(beta, "b");
        TenantContext.where(alpha).call(() -> {
            Connection c = dataSource.getConnection();
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO notes (tenant_id, body) VALUES (?, ?)")) {
                s.setString(1, alpha.value());
                s.setString(2, "uncommitted");
                s.executeUpdate();
            }
            c.close(); // never committed
            return null;
        });
        assertThatThrownBy(() -> TenantContext.where(alpha).call(() -> {
                    try (Connection c = dataSource.getConnection()) {
                        c.setAutoCommit(false);
                        try (Statement s = c.createStatement()) {
                            s.execute("SELECT * FROM no_such_table");
                        }
                    }
                    return null;
                }))
                .isInstanceOf(SQLException.class);
        assertThat(read(alpha)).isEmpty();
        assertThat(read(beta)).containsExactly(beta + ":b");
    }

    @Test
    @DisplayName("a statement prepared for one tenant is never answered from another's data")
    void preparedStatements_followTheBinding() throws Exception {
        insert(alpha, "a");
        insert(beta, "b");
        for (int i = 0; i < 12; i++) { // past pgJDBC's prepareThreshold, so statements are server-prepared
            assertThat(read(alpha)).containsExactly(alpha + ":a");
            assertThat(read(beta)).containsExactly(beta + ":b");
        }
    }
}
