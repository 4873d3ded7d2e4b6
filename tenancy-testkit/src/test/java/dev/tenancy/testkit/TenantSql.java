package dev.tenancy.testkit;

import dev.tenancy.TenantId;
import dev.tenancy.context.TenantContext;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Hand-written SQL as one tenant, on a connection of its own: what the database security tests send. */
final class TenantSql {
    private TenantSql() {}

    /** The first column of every row {@code sql} returns, run as {@code tenant} on a new connection. */
    static List<String> rows(DataSource dataSource, TenantId tenant, String sql) throws SQLException {
        return TenantContext.where(tenant).call(() -> {
            try (Connection c = dataSource.getConnection()) {
                return rows(c, sql);
            }
        });
    }

    /** The update count of {@code sql}, run as {@code tenant} on a connection from {@code dataSource}. */
    static int update(DataSource dataSource, TenantId tenant, String sql) throws SQLException {
        return TenantContext.where(tenant).call(() -> {
            try (Connection c = dataSource.getConnection();
                    Statement s = c.createStatement()) {
                return s.executeUpdate(sql);
            }
        });
    }

    /** The first column of every row {@code sql} returns on {@code c}. */
    static List<String> rows(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }
}
