package dev.tenancy.hibernate;

import dev.tenancy.TenantId;
import dev.tenancy.context.TenantBinding;
import dev.tenancy.context.TenantContext;
import dev.tenancy.jdbc.TenantDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import org.hibernate.engine.jdbc.connections.spi.MultiTenantConnectionProvider;

/**
 * Connections for a session's tenant from {@link TenantDataSource}, bound to the session's tenant
 * identifier (not to whatever is bound on the thread when Hibernate happens to ask), so a session
 * never gets another tenant's connection. Schema, database and shared models alike: the data
 * source does the routing and the binding checks.
 */
final class TenantConnectionProvider implements MultiTenantConnectionProvider<String> {
    private final TenantDataSource dataSource;

    TenantConnectionProvider(TenantDataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Connection getAnyConnection() throws SQLException {
        return TenantContext.system().call(dataSource::getConnection); // metadata: the platform database
    }

    @Override
    public void releaseAnyConnection(Connection connection) throws SQLException {
        connection.close();
    }

    @Override
    public Connection getConnection(String tenantIdentifier) throws SQLException {
        if (TenancyHibernate.ROOT_TENANT.equals(tenantIdentifier)) {
            return getAnyConnection();
        }
        if (ContextTenantResolver.NO_TENANT.equals(tenantIdentifier)) {
            throw new SQLNonTransientConnectionException(
                    "No tenant is bound: use Hibernate sessions inside TenantContext.where(tenantId), or"
                            + " TenantContext.system() for platform work",
                    "08004");
        }
        if (TenantContext.binding() instanceof TenantBinding.Bound bound
                && bound.id().value().equals(tenantIdentifier)) {
            return dataSource.getConnection(); // the usual case: the session was opened in its tenant's scope
        }
        return TenantContext.where(TenantId.of(tenantIdentifier)).call(dataSource::getConnection);
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
        return unwrapType.isInstance(this);
    }

    @Override
    public <T> T unwrap(Class<T> unwrapType) {
        if (unwrapType.isInstance(this)) {
            return unwrapType.cast(this);
        }
        throw new IllegalArgumentException("TenantConnectionProvider does not wrap " + unwrapType.getName());
    }
}
