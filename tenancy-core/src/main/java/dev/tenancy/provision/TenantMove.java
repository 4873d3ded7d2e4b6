package dev.tenancy.provision;

import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.UnknownTenantException;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantUpdate;
import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.jdbc.TenantStorage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a tenant's data to another isolation model or server, with copy, verify, switch and no
 * lost writes: a shared tenant upgraded to a database of its own, a schema tenant moved to a
 * less-loaded server, and back.
 *
 * <ol>
 *   <li><b>Freeze.</b> The catalog marks the tenant {@link TenantDataSource#MOVING}: every node
 *       serves it read-only from then on (at once with a catalog that announces its changes, as
 *       {@code JdbcTenantCatalog} does on PostgreSQL; else when its cached entry expires), and this
 *       node waits until its connections handed out for writing are back.
 *   <li><b>Prepare.</b> The target schema or database is created (emptied first, if an earlier
 *       attempt left one) and the host's migrations run there, so its tables are the source's.
 *   <li><b>Fence, then copy.</b> On PostgreSQL, a short transaction on the source first puts a
 *       trigger on every table it copies that refuses the tenant's writes. Creating it waits for
 *       writers still in a transaction (other nodes' connections bound before the freeze); from
 *       its commit on, any later write of the tenant there fails with "moved" (SQLSTATE {@code
 *       57P05}) instead of landing where nobody reads. The copy then reads one snapshot without
 *       holding locks, so a shared table's other tenants keep writing during it. The rows are
 *       copied in foreign-key order, sequences are set past the copied values, and each table's
 *       row count and content digest are compared.
 *   <li><b>Switch.</b> The target gets the same access control provisioning gives (grants to the
 *       application's role and, for a schema, the schema's row-level security on a server with an
 *       owner; {@link TenantStorage#applyAccessControl}); the catalog record gets the new
 *       placement (audited).
 *   <li><b>Clean up.</b> The source schema or database is dropped, or the tenant's rows deleted
 *       from the shared tables (and their fences removed).
 * </ol>
 *
 * <p>A failure before the switch rolls the copy back and leaves the tenant at its source,
 * read-only: {@link #move} again with the same target resumes, {@link #abort} makes it writable
 * there again. A failure after the switch leaves only the cleanup, which {@link #move} again
 * finishes. Both databases must be of one kind (PostgreSQL, or H2, where there is no fence: H2 is
 * one process, and the wait for this node's writers covers it).
 *
 * <pre>{@code
 * TenantMove mover = TenantMove.builder()
 *         .catalog(catalog).dataSource(tenantDataSource)
 *         .migrations("classpath:db/tenant")
 *         .sharedTable("orders", "tenant_id")
 *         .build();
 * mover.move(acme, IsolationModel.DATABASE, "eu-2", admin);   // enterprise: a database of its own
 * }</pre>
 */
public final class TenantMove {
    /** The attribute a switched tenant keeps until its source is cleaned up; its value is the source placement. */
    public static final String MOVED_FROM = "tenancy.moved-from";

    private static final Logger LOG = LoggerFactory.getLogger(TenantMove.class);
    private static final String FENCE = "tenancy_moved_fence";
    private static final String FENCE_FUNCTION = "tenancy_refuse_moved_tenant";
    private static final int BATCH = 500;

    private final TenantCatalog catalog;
    private final TenantDataSource dataSource;
    private final TenantMigrations migrations;
    private final List<SharedTable> sharedTables;
    private final Duration drainTimeout;
    private final MoveListener listener;
    private final Set<TenantId> running = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private TenantMove(Builder b) {
        this.catalog = b.catalog;
        this.dataSource = b.dataSource;
        this.migrations = new TenantMigrations(b.migrations, b.classLoader);
        this.sharedTables = List.copyOf(b.sharedTables);
        this.drainTimeout = b.drainTimeout;
        this.listener = b.listener;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The steps of a move, as {@link MoveListener} sees them. */
    public enum Step {
        FROZEN,
        COPIED,
        SWITCHED,
        CLEANED
    }

    /** Called after each step; tests use it to interleave writers and to inject crashes. */
    @FunctionalInterface
    public interface MoveListener {
        void stepDone(TenantId tenant, Step step);
    }

    /**
     * What a move did.
     *
     * @param tenant the tenant's record after the move
     * @param from the placement it left, as {@code isolation@server}
     * @param rows the rows copied, per table
     */
    public record Report(Tenant tenant, String from, Map<String, Long> rows) {}

    /**
     * Moves {@code id}'s data to {@code isolation} on {@code server} and switches the tenant there.
     *
     * @throws IllegalArgumentException for a target that is the tenant's placement already (with
     *     nothing left to clean up), an unknown server, a shared model without configured shared
     *     tables, or PostgreSQL and H2 mixed
     * @throws IllegalStateException when the tenant may not be moved now (pending, rejected,
     *     purged, or being moved elsewhere), or this node's writers did not return in time
     * @throws TenantMoveException when the copy, its verification or the switch failed: the
     *     tenant stays at its source, read-only; move again to resume, or {@link #abort}
     */
    public Report move(TenantId id, IsolationModel isolation, String server, Actor actor) {
        Objects.requireNonNull(isolation, "isolation");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(actor, "actor");
        Tenant tenant = require(id);
        String target = placement(isolation, server);
        dataSource.server(server); // an unknown server fails here, naming the configured ones
        if (placement(tenant.isolation(), tenant.server()).equals(target)) {
            String from = tenant.attributes().get(MOVED_FROM);
            if (from == null) {
                throw new IllegalArgumentException("Tenant '" + id + "' is at " + target + " already: nothing to move");
            }
            return new Report(cleanUp(tenant, from, actor), from, Map.of()); // a move that stopped after its switch
        }
        switch (tenant.status()) {
            case ACTIVE, SUSPENDED, ARCHIVED -> {}
            default ->
                throw new IllegalStateException("Tenant '" + id + "' is "
                        + tenant.status().key() + "; only active, suspended or archived tenants are moved");
        }
        if ((isolation == IsolationModel.SHARED || tenant.isolation() == IsolationModel.SHARED)
                && sharedTables.isEmpty()) {
            throw new IllegalArgumentException("Moving tenant '" + id + "' into or out of the shared model needs"
                    + " the shared tables: configure TenantMove.Builder.sharedTable(table, tenantColumn)");
        }
        String moving = tenant.attributes().get(TenantDataSource.MOVING);
        if (moving != null && !moving.equals(target)) {
            throw new IllegalStateException("Tenant '" + id + "' is being moved to " + moving
                    + "; finish that move (move to " + moving + " again) or abort it first");
        }
        if (tenant.attributes().containsKey(MOVED_FROM)) {
            tenant = cleanUp(tenant, tenant.attributes().get(MOVED_FROM), actor);
        }
        Tenant goal = placed(tenant, isolation, server);
        TenantStorage from = dataSource.storage(tenant);
        TenantStorage to = dataSource.storage(goal);
        if (from.postgres() != to.postgres()) {
            throw new IllegalArgumentException("Tenant '" + id + "' cannot move between PostgreSQL and H2 ("
                    + tenant.server() + " to " + server + "): both servers must be of one kind");
        }
        if (from.url(tenant).equals(to.url(goal)) && from.schema(tenant).equals(to.schema(goal))) {
            throw new IllegalArgumentException(
                    "Tenant '" + id + "' at " + placement(tenant.isolation(), tenant.server())
                            + " and at " + target + " would be the same tables (" + to.url(goal) + ", schema "
                            + to.schema(goal) + "): servers '" + tenant.server() + "' and '" + server
                            + "' reach one database");
        }
        if (!running.add(id)) {
            throw new IllegalStateException("A move of tenant '" + id + "' is running in this process");
        }
        try (Connection lock = lock(from, tenant)) {
            return move(tenant, goal, from, to, target, actor); // the advisory lock ends with this session
        } catch (SQLException e) { // only closing the lock's session throws here: the move itself is done
            LOG.warn("Closing the session that held tenant '{}''s move lock failed", id, e);
            return new Report(require(id), placement(tenant.isolation(), tenant.server()), Map.of());
        } finally {
            running.remove(id);
        }
    }

    /**
     * One move per tenant at a time: on PostgreSQL, a session holding an advisory lock in the source
     * server's platform database, until the move returns. Behind a transaction-pooling proxy the
     * lock is the transaction's, held open for the move: a session lock would stay with whichever
     * server connection the proxy lent, after the move and after a crash, and refuse the next move
     * of that tenant from any other; the transaction's ends with the move's connection.
     */
    private static Connection lock(TenantStorage from, Tenant tenant) {
        TenantId id = tenant.id();
        Connection lock = null;
        try {
            lock = from.connect(placed(tenant, IsolationModel.SHARED, tenant.server()));
            if (from.postgres()) {
                boolean pooled = from.server().transactionPooling();
                if (pooled) {
                    lock.setAutoCommit(false); // held, with the server connection, until the move closes it
                }
                try (PreparedStatement s = lock.prepareStatement(
                        pooled ? "SELECT pg_try_advisory_xact_lock(?)" : "SELECT pg_try_advisory_lock(?)")) {
                    s.setLong(1, from.advisoryLockKey("tenancy.move:" + id.value()));
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        if (!rs.getBoolean(1)) {
                            throw new IllegalStateException("A move of tenant '" + id + "' is running on another node");
                        }
                    }
                }
            }
            return lock;
        } catch (SQLException | RuntimeException e) {
            if (lock != null) {
                try {
                    lock.close();
                } catch (SQLException closing) {
                    e.addSuppressed(closing);
                }
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new TenantMoveException(id, "Could not start moving tenant '" + id + "': " + e.getMessage(), e);
        }
    }

    private Report move(Tenant tenant, Tenant goal, TenantStorage from, TenantStorage to, String target, Actor actor) {
        TenantId id = tenant.id();
        String moving = tenant.attributes().get(TenantDataSource.MOVING);
        String source = placement(tenant.isolation(), tenant.server());

        if (moving == null) {
            tenant = catalog.update(
                    id,
                    TenantUpdate.builder()
                            .attribute(TenantDataSource.MOVING, target)
                            .build(),
                    actor);
        }
        awaitWriters(id);
        listener.stepDone(id, Step.FROZEN);

        Map<String, Long> rows;
        try {
            prepare(to, goal);
            rows = copyAndSwitch(tenant, goal, from, to, target, actor);
        } catch (SQLException | RuntimeException e) {
            throw new TenantMoveException(
                    id,
                    "Could not move tenant '" + id + "' to " + target + ": " + e.getMessage() + ". It stays at "
                            + source + ", read-only; move it again to resume, or abort the move",
                    e);
        }
        Tenant switched = require(id);
        listener.stepDone(id, Step.SWITCHED);
        return new Report(cleanUp(switched, source, actor), source, rows);
    }

    /**
     * Abandons an unfinished move of {@code id}: the target's copy is removed and the tenant, still
     * at its source, is writable again. Nothing when no move is under way.
     */
    public Tenant abort(TenantId id, Actor actor) {
        Tenant tenant = require(id);
        String moving = tenant.attributes().get(TenantDataSource.MOVING);
        if (moving == null) {
            return tenant;
        }
        Tenant goal = placedAt(tenant, moving);
        try {
            removeData(dataSource.storage(goal), goal);
            removeFences(dataSource.storage(tenant), tenant);
        } catch (SQLException e) {
            throw new TenantMoveException(
                    id, "Could not remove tenant '" + id + "''s copy at " + moving + ": " + e.getMessage(), e);
        }
        return catalog.update(
                id,
                TenantUpdate.builder().removeAttribute(TenantDataSource.MOVING).build(),
                actor);
    }

    private void awaitWriters(TenantId id) {
        try {
            if (!dataSource.awaitWritersReturned(id, drainTimeout)) {
                throw new IllegalStateException("Tenant '" + id + "' still has connections out for writing after "
                        + drainTimeout + "; it stays read-only: move it again once they are returned, or abort");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for tenant '" + id + "''s writers", e);
        }
    }

    /** A fresh target: whatever an earlier attempt copied is removed, then the host's tables are created. */
    private void prepare(TenantStorage to, Tenant goal) throws SQLException {
        removeData(to, goal);
        if (goal.isolation() != IsolationModel.SHARED) {
            to.create(goal, null);
            migrations.migrate(to, goal);
        }
    }

    private Map<String, Long> copyAndSwitch(
            Tenant tenant, Tenant goal, TenantStorage from, TenantStorage to, String target, Actor actor)
            throws SQLException {
        try (Connection src = from.connect(tenant);
                Connection dst = to.connect(goal)) {
            src.setAutoCommit(false);
            dst.setAutoCommit(false);
            try {
                List<TenantTable> sources = TenantTable.of(src, from, tenant, sharedTables);
                if (from.postgres()) {
                    // Its own short transaction: creating the fence waits for writers in flight, and from
                    // its commit on the source refuses the tenant's writes; the copy then holds no lock,
                    // so other tenants of a shared table keep writing during it.
                    fence(src, from.advisoryLockKey(FENCE_FUNCTION), sources, tenant, target);
                    src.commit();
                    src.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                }
                Map<String, TenantTable> targets = new LinkedHashMap<>();
                for (TenantTable t : TenantTable.of(dst, to, goal, sharedTables)) {
                    targets.put(t.name().toLowerCase(Locale.ROOT), t);
                }
                Map<String, Long> rows = new LinkedHashMap<>();
                for (TenantTable s : inForeignKeyOrder(dst, sources, targets)) {
                    TenantTable t = targets.get(s.name().toLowerCase(Locale.ROOT));
                    if (t == null) {
                        throw new SQLException("Table " + s.name() + " holds tenant '" + tenant.id()
                                + "''s data but does not exist at " + target
                                + ": the host's migrations must create it there (or list it as a shared table)");
                    }
                    long copied = copy(src, s, dst, t, tenant.id());
                    verify(src, s, dst, t, tenant.id(), copied);
                    advanceSequences(dst, t, to.postgres());
                    rows.put(s.name().toLowerCase(Locale.ROOT), copied);
                }
                dst.commit();
                // Closed to other tenants and open to the application before anyone is sent there.
                to.applyAccessControl(goal);
                listener.stepDone(tenant.id(), Step.COPIED);
                catalog.update(
                        tenant.id(),
                        TenantUpdate.builder()
                                .placement(goal.isolation(), goal.server())
                                .removeAttribute(TenantDataSource.MOVING)
                                .attribute(MOVED_FROM, placement(tenant.isolation(), tenant.server()))
                                .build(),
                        actor);
                src.commit();
                return Collections.unmodifiableMap(rows);
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(dst, e);
                rollbackQuietly(src, e);
                throw e;
            }
        }
    }

    /**
     * Refuses the tenant's writes on {@code tables} from when this transaction commits; creating it
     * waits for writers in flight. It stays until the source is removed, or the move aborted.
     */
    private static void fence(Connection src, long lockKey, List<TenantTable> tables, Tenant tenant, String target)
            throws SQLException {
        Set<String> schemas = new LinkedHashSet<>();
        tables.forEach(t -> schemas.add(t.schema()));
        try (Statement s = src.createStatement()) {
            for (String schema : schemas) {
                String function = TenantTable.quote(schema) + "." + FENCE_FUNCTION;
                s.execute("SET LOCAL lock_timeout = '30s'"); // a session holding the key fails the move, not stalls it
                s.execute("SELECT pg_advisory_xact_lock(" + lockKey + ")");
                s.execute("SET LOCAL lock_timeout = DEFAULT");
                s.execute("CREATE OR REPLACE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql AS $f$"
                        + " BEGIN"
                        + "  IF TG_NARGS < 3 OR TG_LEVEL = 'STATEMENT'"
                        + "   OR (TG_OP <> 'INSERT' AND to_jsonb(OLD) ->> TG_ARGV[2] = TG_ARGV[0])"
                        + "   OR (TG_OP <> 'DELETE' AND to_jsonb(NEW) ->> TG_ARGV[2] = TG_ARGV[0]) THEN"
                        + "   RAISE EXCEPTION USING ERRCODE = '57P05', MESSAGE = format("
                        + "    'Tenant %s moved to %s: its data is no longer here; borrow a new connection and retry',"
                        + "    TG_ARGV[0], TG_ARGV[1]);"
                        + "  END IF;"
                        + "  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;"
                        + " END $f$");
            }
            for (TenantTable t : tables) {
                String function = TenantTable.quote(t.schema()) + "." + FENCE_FUNCTION;
                s.execute("DROP TRIGGER IF EXISTS " + FENCE + " ON " + t.qualified());
                String args = "'" + tenant.id().value() + "', '" + target + "'";
                s.execute(
                        t.shared() == null
                                ? "CREATE TRIGGER " + FENCE + " BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON "
                                        + t.qualified() + " FOR EACH STATEMENT EXECUTE FUNCTION " + function + "("
                                        + args + ")"
                                : "CREATE TRIGGER " + FENCE + " BEFORE INSERT OR UPDATE OR DELETE ON " + t.qualified()
                                        + " FOR EACH ROW EXECUTE FUNCTION " + function + "(" + args + ", '"
                                        + t.shared().tenantColumn() + "')");
            }
        }
    }

    private static long copy(Connection src, TenantTable s, Connection dst, TenantTable t, TenantId tenant)
            throws SQLException {
        long rows = 0;
        try (PreparedStatement read = src.prepareStatement(s.select())) {
            if (s.shared() != null) {
                read.setString(1, tenant.value());
            }
            read.setFetchSize(BATCH);
            try (ResultSet rs = read.executeQuery()) {
                ResultSetMetaData meta = rs.getMetaData();
                int n = meta.getColumnCount();
                StringBuilder columns = new StringBuilder();
                StringBuilder marks = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    columns.append(i > 1 ? ", " : "").append(TenantTable.quote(meta.getColumnLabel(i)));
                    marks.append(i > 1 ? ", ?" : "?");
                }
                String insert = "INSERT INTO " + t.qualified() + " (" + columns + ") OVERRIDING SYSTEM VALUE VALUES ("
                        + marks + ")";
                try (PreparedStatement write = dst.prepareStatement(insert)) {
                    while (rs.next()) {
                        for (int i = 1; i <= n; i++) {
                            write.setObject(i, rs.getObject(i));
                        }
                        write.addBatch();
                        if (++rows % BATCH == 0) {
                            write.executeBatch();
                        }
                    }
                    if (rows % BATCH != 0) {
                        write.executeBatch();
                    }
                }
            }
        }
        return rows;
    }

    /** Compares the rows read back from the target with the source's: count and an order-independent digest. */
    private static void verify(
            Connection src, TenantTable s, Connection dst, TenantTable t, TenantId tenant, long copied)
            throws SQLException {
        long[] source = digest(src, s, tenant);
        long[] target = digest(dst, t, tenant);
        if (source[0] != copied || target[0] != copied || source[1] != target[1]) {
            throw new SQLException("Verification failed for table " + s.name() + ": " + copied + " rows copied, "
                    + source[0] + " at the source, " + target[0] + " at the target"
                    + (source[1] != target[1] ? ", contents differ" : ""));
        }
    }

    private static long[] digest(Connection c, TenantTable table, TenantId tenant) throws SQLException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long count = 0;
        long sum = 0;
        try (PreparedStatement read = c.prepareStatement(table.select())) {
            if (table.shared() != null) {
                read.setString(1, tenant.value());
            }
            try (ResultSet rs = read.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    for (int i = 1; i <= n; i++) {
                        String v = rs.getString(i);
                        sha.update(v == null ? new byte[] {0} : (v + '\u0001').getBytes(StandardCharsets.UTF_8));
                    }
                    byte[] h = sha.digest();
                    long row = 0;
                    for (int i = 0; i < 8; i++) {
                        row = (row << 8) | (h[i] & 0xff);
                    }
                    sum += row;
                    count++;
                }
            }
        }
        return new long[] {count, sum};
    }

    /** Sets the target's sequences and identity columns past every copied value (never back). */
    private static void advanceSequences(Connection dst, TenantTable t, boolean pg) throws SQLException {
        List<String> columns = new ArrayList<>();
        String sql = pg
                ? "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?"
                        + " AND (column_default LIKE 'nextval(%' OR is_identity = 'YES')"
                : "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?"
                        + " AND is_identity = 'YES'";
        String schema = t.schema();
        try (PreparedStatement s = dst.prepareStatement(sql)) {
            s.setString(1, schema);
            s.setString(2, stored(dst.getMetaData(), t.name()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
        }
        for (String column : columns) {
            String q = TenantTable.quote(column);
            if (pg) {
                try (PreparedStatement s = dst.prepareStatement("SELECT setval(seq, GREATEST(MAX(" + q + ") + 1,"
                        + " nextval(seq)), false) FROM " + t.qualified() + ", (SELECT pg_get_serial_sequence(?, ?)"
                        + " AS seq) q GROUP BY seq")) {
                    s.setString(1, TenantTable.quote(schema) + "." + TenantTable.quote(t.name()));
                    s.setString(2, column);
                    s.executeQuery().close();
                }
            } else {
                long next;
                try (Statement s = dst.createStatement();
                        ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(" + q + "), 0) + 1 FROM " + t.qualified())) {
                    rs.next();
                    next = rs.getLong(1);
                }
                try (Statement s = dst.createStatement()) {
                    s.execute("ALTER TABLE " + t.qualified() + " ALTER COLUMN " + q + " RESTART WITH " + next);
                }
            }
        }
    }

    /** {@code name} as the database stores an unquoted identifier, for its metadata (H2: upper case). */
    private static String stored(DatabaseMetaData meta, String name) throws SQLException {
        if (meta.storesUpperCaseIdentifiers() && name.equals(name.toLowerCase(Locale.ROOT))) {
            return name.toUpperCase(Locale.ROOT);
        }
        return name;
    }

    /** The source tables, parents before the tables whose foreign keys reference them (at the target). */
    private static List<TenantTable> inForeignKeyOrder(
            Connection dst, List<TenantTable> sources, Map<String, TenantTable> targets) throws SQLException {
        Map<String, Set<String>> parents = new LinkedHashMap<>();
        DatabaseMetaData meta = dst.getMetaData();
        for (TenantTable s : sources) {
            String key = s.name().toLowerCase(Locale.ROOT);
            Set<String> of = new LinkedHashSet<>();
            TenantTable t = targets.get(key);
            if (t != null) {
                String schema = t.schema();
                try (ResultSet rs = meta.getImportedKeys(dst.getCatalog(), schema, stored(meta, t.name()))) {
                    while (rs.next()) {
                        String parent = rs.getString("PKTABLE_NAME").toLowerCase(Locale.ROOT);
                        if (!parent.equals(key)) {
                            of.add(parent);
                        }
                    }
                }
            }
            parents.put(key, of);
        }
        List<TenantTable> ordered = new ArrayList<>();
        Set<String> placed = new LinkedHashSet<>();
        List<TenantTable> pending = new ArrayList<>(sources);
        while (!pending.isEmpty()) {
            boolean progress = false;
            for (var it = pending.iterator(); it.hasNext(); ) {
                TenantTable s = it.next();
                String key = s.name().toLowerCase(Locale.ROOT);
                Set<String> needs = new LinkedHashSet<>(parents.get(key));
                needs.retainAll(parents.keySet());
                needs.removeAll(placed);
                if (needs.isEmpty()) {
                    ordered.add(s);
                    placed.add(key);
                    it.remove();
                    progress = true;
                }
            }
            if (!progress) { // a cycle: keep the rest as listed
                ordered.addAll(pending);
                break;
            }
        }
        return ordered;
    }

    /** Removes the source: drops its schema or database, or deletes its shared rows and their fences. */
    private Tenant cleanUp(Tenant switched, String source, Actor actor) {
        Tenant old = placedAt(switched, source);
        try {
            removeData(dataSource.storage(old), old);
        } catch (SQLException e) {
            throw new TenantMoveException(
                    switched.id(),
                    "Tenant '" + switched.id() + "' moved, but its old data at " + source + " could not be removed: "
                            + e.getMessage() + "; move it to the same target again to retry",
                    e);
        }
        Tenant cleaned = catalog.update(
                switched.id(),
                TenantUpdate.builder().removeAttribute(MOVED_FROM).build(),
                actor);
        listener.stepDone(switched.id(), Step.CLEANED);
        return cleaned;
    }

    /**
     * Drops the tenant's schema or database at {@code storage}, or deletes its rows from the shared
     * tables there (children before the rows they reference) and removes the fences of its move.
     */
    private void removeData(TenantStorage storage, Tenant tenant) throws SQLException {
        if (tenant.isolation() != IsolationModel.SHARED) {
            storage.drop(tenant);
            return;
        }
        try (Connection c = storage.connect(tenant)) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                List<TenantTable> tables = TenantTable.of(c, storage, tenant, sharedTables);
                Map<String, TenantTable> byName = new LinkedHashMap<>();
                tables.forEach(t -> byName.put(t.name().toLowerCase(Locale.ROOT), t));
                List<TenantTable> childrenFirst = new ArrayList<>(inForeignKeyOrder(c, tables, byName));
                Collections.reverse(childrenFirst);
                for (TenantTable t : childrenFirst) {
                    if (storage.postgres()) { // its lock is held until commit, so nobody writes in between
                        s.execute("DROP TRIGGER IF EXISTS " + FENCE + " ON " + t.qualified());
                    }
                    try (PreparedStatement d = c.prepareStatement("DELETE FROM " + t.qualified() + " WHERE "
                            + t.shared().tenantColumn() + " = ?")) {
                        d.setString(1, tenant.id().value());
                        d.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            }
        }
    }

    /** Drops the fences an unfinished move left on the tenant's tables at {@code storage} (PostgreSQL). */
    private void removeFences(TenantStorage storage, Tenant tenant) throws SQLException {
        if (!storage.postgres()) {
            return;
        }
        try (Connection c = storage.connect(tenant);
                Statement s = c.createStatement()) {
            for (TenantTable t : TenantTable.of(c, storage, tenant, sharedTables)) {
                s.execute("DROP TRIGGER IF EXISTS " + FENCE + " ON " + t.qualified());
            }
        }
    }

    private static void rollbackQuietly(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private static String placement(IsolationModel isolation, String server) {
        return isolation.key() + "@" + server;
    }

    /** {@code t} at a placement written by {@link #placement}. */
    private static Tenant placedAt(Tenant t, String placement) {
        int at = placement.indexOf('@');
        return placed(
                t,
                IsolationModel.valueOf(placement.substring(0, at).toUpperCase(Locale.ROOT)),
                placement.substring(at + 1));
    }

    private static Tenant placed(Tenant t, IsolationModel isolation, String server) {
        return new Tenant(
                t.id(),
                t.displayName(),
                t.status(),
                t.statusReason(),
                t.tier(),
                isolation,
                server,
                t.ownerEmail(),
                t.attributes(),
                t.expiresAt(),
                t.createdAt(),
                t.updatedAt(),
                t.version());
    }

    private Tenant require(TenantId id) {
        return catalog.find(Objects.requireNonNull(id, "id")).orElseThrow(() -> new UnknownTenantException(id.value()));
    }

    /** Builds a {@link TenantMove}: a catalog and a data source are required. */
    public static final class Builder {
        private TenantCatalog catalog;
        private TenantDataSource dataSource;
        private final List<String> migrations = new ArrayList<>();
        private ClassLoader classLoader = TenantMove.class.getClassLoader();
        private final List<SharedTable> sharedTables = new ArrayList<>();
        private Duration drainTimeout = Duration.ofSeconds(30);
        private MoveListener listener = (tenant, step) -> {};

        private Builder() {}

        /** Where the tenant's placement is read and switched; required. */
        public Builder catalog(TenantCatalog catalog) {
            this.catalog = Objects.requireNonNull(catalog, "catalog");
            return this;
        }

        /** Knows the servers, and the writers to wait for; required. */
        public Builder dataSource(TenantDataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** The host's migrations (Flyway locations), run in a new schema or database before the copy. */
        public Builder migrations(String... locations) {
            migrations.addAll(List.of(locations));
            return this;
        }

        /** The class loader the migrations are found with; Tenancy's by default. */
        public Builder classLoader(ClassLoader classLoader) {
            this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
            return this;
        }

        /** A table of the shared model: a shared tenant's rows are copied from it, and to it for a move into the shared model. */
        public Builder sharedTable(String table, String tenantColumn) {
            sharedTables.add(SharedTable.of(table, tenantColumn));
            return this;
        }

        /** How long to wait for this node's writers before giving up; 30 seconds by default. */
        public Builder drainTimeout(Duration drainTimeout) {
            this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
            return this;
        }

        /** Called after each step; for tests. */
        public Builder listener(MoveListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        public TenantMove build() {
            if (catalog == null || dataSource == null) {
                throw new IllegalStateException("TenantMove needs catalog(...) and dataSource(...)");
            }
            return new TenantMove(this);
        }
    }
}
