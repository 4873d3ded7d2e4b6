package dev.tenancy.testkit;

import dev.tenancy.IsolationModel;
import dev.tenancy.jdbc.DatabaseServer;
import dev.tenancy.jdbc.TenantDataSource;
import org.junit.jupiter.api.Nested;

/**
 * The isolation contract, every model, through a real PgBouncer in transaction mode ({@code
 * .ci/run} starts one; see {@link TestDatabase#pooledJdbcUrl()}), with the server configured for it
 * ({@link DatabaseServer#withTransactionPooling()}).
 */
class PgBouncerIsolationTest {

    abstract static class ThroughPgBouncer extends IsolationContract {
        @Override
        protected TestDatabase.Kind kind() {
            return TestDatabase.Kind.POSTGRESQL;
        }

        @Override
        protected TenantDataSource newDataSource(int poolSize) {
            return TenantDataSource.builder()
                    .allowInsecureRole() // connects as the test server's superuser
                    .catalog(catalog)
                    .server(database.pooledServer("default")
                            .withMaximumPoolSize(poolSize)
                            .withTenantPoolSize(poolSize))
                    .build();
        }
    }

    @Nested
    class Shared extends ThroughPgBouncer {
        @Override
        protected IsolationModel model() {
            return IsolationModel.SHARED;
        }
    }

    @Nested
    class Schema extends ThroughPgBouncer {
        @Override
        protected IsolationModel model() {
            return IsolationModel.SCHEMA;
        }
    }

    @Nested
    class Database extends ThroughPgBouncer {
        @Override
        protected IsolationModel model() {
            return IsolationModel.DATABASE;
        }
    }

    /** The adversarial contract (every model at once, poisoned sessions, failures) through the pooler. */
    @Nested
    class Adversarial extends AdversarialIsolationContract {
        @Override
        protected TestDatabase.Kind kind() {
            return TestDatabase.Kind.POSTGRESQL;
        }

        @Override
        protected DatabaseServer server(TestDatabase database) {
            return database.pooledServer("default");
        }

        @Override
        protected long operations() {
            return Long.getLong("tenancy.adversarial.pooled.ops", 15_000);
        }
    }

    /** Provisioning, fleet migrations and offboarding through the pooler. */
    @Nested
    class Provisioning extends ProvisioningContract {
        @Override
        protected TestDatabase.Kind kind() {
            return TestDatabase.Kind.POSTGRESQL;
        }

        @Override
        protected DatabaseServer server(TestDatabase database) {
            return database.pooledServer("default");
        }
    }

    /** Moves between models and servers through the pooler. */
    @Nested
    class Moves extends TenantMoveContract {
        @Override
        protected TestDatabase.Kind kind() {
            return TestDatabase.Kind.POSTGRESQL;
        }

        @Override
        protected DatabaseServer server(String name, TestDatabase db) {
            return db.pooledServer(name);
        }
    }
}
