package dev.tenancy.testkit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;

/**
 * A database of its own for one test class: a fresh in-memory H2 database, or a fresh PostgreSQL
 * database created on the server named by {@code TENANCY_PG_URL} (default {@code
 * jdbc:postgresql://127.0.0.1:5432/test}, user {@code TENANCY_PG_USER}, default {@code postgres},
 * password {@code TENANCY_PG_PASSWORD}) and dropped on {@link #close()}. Test classes therefore
 * never share state, may run in parallel, and leave nothing behind.
 *
 * <p>When PostgreSQL cannot be reached the test is skipped with one clear line, unless {@code
 * TENANCY_REQUIRE_PG=true}, in which case it fails.
 */
public final class TestDatabase implements AutoCloseable {

    /** Which database engine. */
    public enum Kind {
        H2,
        POSTGRESQL
    }

    private static final AtomicBoolean SKIP_NOTICE_PRINTED = new AtomicBoolean();

    private final Kind kind;
    private final String name;
    private final String jdbcUrl;
    private final HikariDataSource dataSource;
    private final String user;
    private final String password;

    private TestDatabase(Kind kind, String name, String jdbcUrl, String user, String password) {
        this.kind = kind;
        this.name = name;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(8);
        config.setMinimumIdle(0);
        config.setPoolName("test-" + name);
        this.dataSource = new HikariDataSource(config);
    }

    /** A fresh in-memory H2 database. */
    public static TestDatabase h2() {
        String name = "tenancy_" + UUID.randomUUID().toString().replace("-", "");
        return new TestDatabase(Kind.H2, name, "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", "sa", "");
    }

    /** A fresh PostgreSQL database; skips (or, when required, fails) the test if there is no server. */
    public static TestDatabase postgres() {
        String adminUrl = env("TENANCY_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
        String user = env("TENANCY_PG_USER", "postgres");
        String password = env("TENANCY_PG_PASSWORD", "");
        String name =
                "tenancy_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        DriverManager.setLoginTimeout(5);
        try (Connection c = DriverManager.getConnection(adminUrl, user, password);
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            String reason = "PostgreSQL is not reachable at " + adminUrl + " as " + user + " (" + e.getMessage() + ")";
            if (Boolean.parseBoolean(env("TENANCY_REQUIRE_PG", "false"))) {
                throw new IllegalStateException(
                        reason + " and TENANCY_REQUIRE_PG=true: start the server or point TENANCY_PG_URL at one", e);
            }
            String line = reason + "; PostgreSQL tests are skipped. Set TENANCY_PG_URL/TENANCY_PG_USER,"
                    + " or TENANCY_REQUIRE_PG=true to fail instead.";
            if (SKIP_NOTICE_PRINTED.compareAndSet(false, true)) {
                System.err.println("[tenancy] " + line);
            }
            Assumptions.abort(line);
        }
        return new TestDatabase(Kind.POSTGRESQL, name, replaceDatabase(adminUrl, name), user, password);
    }

    /** {@link #h2()} or {@link #postgres()}. */
    public static TestDatabase of(Kind kind) {
        return kind == Kind.H2 ? h2() : postgres();
    }

    public Kind kind() {
        return kind;
    }

    /** A pooled data source on this database. */
    public DataSource dataSource() {
        return dataSource;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** This database's name. */
    public String name() {
        return name;
    }

    /**
     * The URL of another database on the same server, with {@code {database}} where its name goes:
     * on PostgreSQL the server's database of that name, on H2 an in-memory database private to this
     * test database (its name is prefixed with this one's).
     */
    public String databaseUrlTemplate() {
        return kind == Kind.H2
                ? "jdbc:h2:mem:" + name + "_{database};DB_CLOSE_DELAY=-1"
                : replaceDatabase(jdbcUrl, "{database}");
    }

    /** Creates database {@code database} on the same server (PostgreSQL); H2 creates it on first use. */
    public void createDatabase(String database) {
        if (kind == Kind.POSTGRESQL) {
            execute("CREATE DATABASE " + database);
        }
        otherDatabases.add(database);
    }

    /** Registers database {@code database}, which the code under test creates, to be dropped on close. */
    public void dropOnClose(String database) {
        otherDatabases.add(database);
    }

    /** Runs SQL in database {@code database} on the same server. */
    public void executeIn(String database, String sql) {
        String url = databaseUrlTemplate().replace("{database}", database);
        try (Connection c = DriverManager.getConnection(url, user, password);
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed in " + database + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    private final java.util.List<String> otherDatabases = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.List<String> roles = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * A new PostgreSQL login role for the application to connect as, with no password: neither a
     * superuser nor {@code BYPASSRLS}, owning nothing, so row-level security binds it. Grant it
     * what the test needs; it is dropped on {@link #close()}, after the databases that may hold
     * its privileges.
     */
    public String applicationRole() {
        if (kind != Kind.POSTGRESQL) {
            throw new IllegalStateException("Application roles are for PostgreSQL tests; this database is " + kind);
        }
        String role = "tenancy_app_"
                + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        execute("CREATE ROLE " + role + " LOGIN NOSUPERUSER NOBYPASSRLS");
        roles.add(role);
        return role;
    }

    /** The login role tests connect as through the transaction pooler (its auth file lists it). */
    public static final String POOLED_APPLICATION_ROLE = "tenancy_pooled_app";

    /**
     * This PostgreSQL database reached through a PgBouncer in transaction mode, found at {@code
     * TENANCY_PGBOUNCER_PORT} on the server's host (default 6432), which forwards every database
     * name to the server. Skips the test when none answers, or fails it when {@code
     * TENANCY_REQUIRE_PGBOUNCER=true} (set by {@code .ci/run}, which starts one).
     */
    public String pooledJdbcUrl() {
        if (kind != Kind.POSTGRESQL) {
            throw new IllegalStateException("A transaction pooler fronts PostgreSQL; this database is " + kind);
        }
        String port = env("TENANCY_PGBOUNCER_PORT", "6432");
        String url = jdbcUrl.replaceFirst("//([^/:]+)(:\\d+)?/", "//$1:" + port + "/");
        try (Connection c = DriverManager.getConnection(url + "?prepareThreshold=0", user, password)) {
            return url;
        } catch (SQLException e) {
            String reason = "No PgBouncer answers at " + url + " (" + e.getMessage() + ")";
            if (Boolean.parseBoolean(env("TENANCY_REQUIRE_PGBOUNCER", "false"))) {
                throw new IllegalStateException(
                        reason + " and TENANCY_REQUIRE_PGBOUNCER=true: run .ci/run, which"
                                + " starts one in transaction mode, or set TENANCY_PGBOUNCER_PORT",
                        e);
            }
            String line = reason + "; transaction-pooling tests are skipped (.ci/run starts one).";
            if (POOLER_NOTICE_PRINTED.compareAndSet(false, true)) {
                System.err.println("[tenancy] " + line);
            }
            Assumptions.abort(line);
            throw new AssertionError(line);
        }
    }

    private static final AtomicBoolean POOLER_NOTICE_PRINTED = new AtomicBoolean();

    /**
     * Server {@code name} on this database through the pooler ({@link #pooledJdbcUrl()}), as this
     * database's user, configured for it ({@code withTransactionPooling()}).
     */
    public dev.tenancy.jdbc.DatabaseServer pooledServer(String name) {
        return dev.tenancy.jdbc.DatabaseServer.of(name, pooledJdbcUrl(), user, password)
                .withDatabaseUrlTemplate(pooledDatabaseUrlTemplate())
                .withTransactionPooling();
    }

    /** {@link #databaseUrlTemplate()} through the same pooler as {@link #pooledJdbcUrl()}. */
    public String pooledDatabaseUrlTemplate() {
        String url = pooledJdbcUrl();
        return url.substring(0, url.lastIndexOf('/') + 1) + "{database}";
    }

    /**
     * {@value #POOLED_APPLICATION_ROLE}, created when absent: a login role with no password, neither
     * a superuser nor {@code BYPASSRLS}, owning nothing, the one the pooler lets in besides the
     * owner. Shared by every test database on the server (it owns nothing, so it is never dropped);
     * grant it what the test needs in this database.
     */
    public String pooledApplicationRole() {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.execute("DO $$ BEGIN CREATE ROLE " + POOLED_APPLICATION_ROLE + " LOGIN NOSUPERUSER NOBYPASSRLS;"
                    + " EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create role " + POOLED_APPLICATION_ROLE, e);
        }
        return POOLED_APPLICATION_ROLE;
    }

    /** Runs SQL as the test's owner, for set-up or for changing rows behind a store's back. */
    public void execute(String sql) {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        dataSource.close();
        if (kind == Kind.H2) {
            for (String other : otherDatabases) {
                shutdownH2(databaseUrlTemplate().replace("{database}", other));
            }
            shutdownH2(jdbcUrl);
            return;
        }
        String adminUrl = env("TENANCY_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
        try (Connection c = DriverManager.getConnection(
                        adminUrl, env("TENANCY_PG_USER", "postgres"), env("TENANCY_PG_PASSWORD", ""));
                Statement s = c.createStatement()) {
            for (String other : otherDatabases) {
                s.execute("DROP DATABASE IF EXISTS " + other + " WITH (FORCE)");
            }
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            for (String role : roles) {
                s.execute("DROP ROLE IF EXISTS " + role);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not drop test database " + name + ": " + e.getMessage(), e);
        }
    }

    private static void shutdownH2(String url) {
        try (Connection c = DriverManager.getConnection(url, "sa", "");
                Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        } catch (SQLException ignored) {
            // already gone
        }
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(Locale.ROOT) + ":" + name;
    }

    private static String replaceDatabase(String url, String database) {
        int query = url.indexOf('?');
        String base = query < 0 ? url : url.substring(0, query);
        String params = query < 0 ? "" : url.substring(query);
        int slash = base.lastIndexOf('/');
        return base.substring(0, slash + 1) + database + params;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
