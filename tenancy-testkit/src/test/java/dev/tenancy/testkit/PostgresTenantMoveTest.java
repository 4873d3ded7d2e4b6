package dev.tenancy.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenancy.IsolationModel;
import dev.tenancy.TenantId;
import dev.tenancy.context.TenantContext;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.provision.TenantMove;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PostgresTenantMoveTest extends TenantMoveContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRESQL;
    }

    @Test
    @DisplayName("no lost writes: another node's writer from before the freeze is waited for, then fenced off")
    void anotherNodesWriter_isWaitedFor_thenFenced() throws Exception {
        TenantId acme = tenant("acme", IsolationModel.SCHEMA);
        List<String> before = rows(acme);
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try (TenantDataSource node2 = TenantDataSource.builder()
                        .allowInsecureRole() // connects as the test server's superuser
                        .catalog(catalog)
                        .server(DatabaseServer.of("default", database.jdbcUrl(), database.user(), database.password())
                                .withDatabaseUrlTemplate(database.databaseUrlTemplate()))
                        .build();
                Connection writer = TenantContext.where(acme).call(node2::getConnection)) {
            // Node 2 bound this connection for writing before the move began, and is mid-transaction.
            writer.setAutoCommit(false);
            insert(writer, acme, "A: committed while the move waits");

            CompletableFuture<SQLException> lateWrite = new CompletableFuture<>();
            TenantMove fencedMover = mover(TenantMove.builder().listener((tenant, step) -> {
                if (step == TenantMove.Step.COPIED) { // fenced and copied, not yet switched: node 2 writes again
                    try {
                        insert(writer, acme, "B: written after the fence");
                        writer.commit();
                        lateWrite.complete(null);
                    } catch (SQLException e) {
                        lateWrite.complete(e);
                    }
                }
            }));
            Future<TenantMove.Report> move =
                    threads.submit(() -> fencedMover.move(acme, IsolationModel.DATABASE, "default", ADMIN));
            awaitLockWaiters(1); // the fence waits for node 2's open transaction
            assertThat(move.isDone()).isFalse();
            writer.commit();

            TenantMove.Report report = move.get(30, TimeUnit.SECONDS);
            SQLException refused = lateWrite.get(30, TimeUnit.SECONDS);

            assertThat(report.rows()).containsEntry("orders", 6L);
            assertThat(refused != null)
                    .as("the late write must fail, not land in the old schema")
                    .isTrue();
            assertThat(refused.getSQLState()).isEqualTo("57P05");
            assertThat(refused.getMessage()).contains("moved to database@default");
            assertThat(rows(acme))
                    .hasSize(before.size() + 1)
                    .contains("orders:1,9999,A: committed while the move waits");
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    @DisplayName("while a shared tenant's rows are copied, the other tenants of its shared tables keep writing")
    void sharedTables_stayWritableForOthersDuringTheCopy() throws Exception {
        TenantId acme = tenant("acme", IsolationModel.SHARED);
        TenantId globex = tenant("globex", IsolationModel.SHARED);
        ExecutorService threads = Executors.newSingleThreadExecutor();
        try {
            TenantMove watched = mover(TenantMove.builder().listener((tenant, step) -> {
                if (step == TenantMove.Step.COPIED) { // the copy's transaction is still open at the source
                    Future<Integer> write = threads.submit(() -> update(
                            globex,
                            "INSERT INTO orders (tenant_id, person_id, total_cents, note) SELECT tenant_id, MIN(id),"
                                    + " 1, 'during the move' FROM people WHERE tenant_id = '" + globex
                                    + "' GROUP BY tenant_id"));
                    try {
                        assertThat(write.get(10, TimeUnit.SECONDS)).isEqualTo(1);
                    } catch (Exception e) {
                        throw new IllegalStateException("globex could not write during the copy", e);
                    }
                }
            }));
            watched.move(acme, IsolationModel.DATABASE, "default", ADMIN);
        } finally {
            threads.shutdownNow();
        }
        assertThat(rows(globex)).hasSize(9).anyMatch(r -> r.endsWith("during the move"));
        assertThat(rows(acme)).hasSize(8);
    }

    @Test
    @DisplayName("a move of the tenant running on another node (holding its advisory lock) is refused")
    void aMoveOnAnotherNode_isRefused() throws Exception {
        TenantId acme = tenant("acme", IsolationModel.SCHEMA);
        // The key every node derives for this tenant's move (from the binding key, when there is one).
        long key = dataSource.storage("default").advisoryLockKey("tenancy.move:" + acme);
        try (Connection otherNode = database.dataSource().getConnection();
                Statement s = otherNode.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + key + ")");
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> mover.move(acme, IsolationModel.DATABASE, "default", ADMIN))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("running on another node");
            s.execute("SELECT pg_advisory_unlock(" + key + ")");
        }
        assertThat(catalog.require(acme).attributes()).isEmpty();
        assertThat(mover.move(acme, IsolationModel.DATABASE, "default", ADMIN).rows())
                .containsEntry("people", 3L);
    }

    private static void insert(Connection c, TenantId acme, String note) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO orders (tenant_id, person_id, total_cents, note) VALUES ('" + acme
                    + "', 1, 9999, '" + note + "')");
        }
    }

    /** Waits until at least {@code n} sessions of the platform database wait for a lock. */
    private void awaitLockWaiters(int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection c = database.dataSource().getConnection();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM pg_stat_activity"
                            + " WHERE datname = current_database() AND wait_event_type = 'Lock'")) {
                rs.next();
                if (rs.getInt(1) >= n) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no session waited for a lock within 20 s");
    }
}
