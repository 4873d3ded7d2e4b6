package dev.tenancy.internal;

import dev.tenancy.StorageException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import javax.sql.DataSource;

/** Small JDBC helpers shared by the JDBC stores. Internal; not API. */
public final class Jdbc {
    private Jdbc() {}

    /** Work done inside one transaction. */
    @FunctionalInterface
    public interface TransactionWork<T> {
        T apply(Connection connection) throws SQLException;
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public static <T> T inTransaction(DataSource dataSource, String what, TransactionWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.apply(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(c, e);
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new StorageException("Could not " + what + ": " + e.getMessage(), e);
        }
    }

    /** Runs read-only {@code work} on a connection of its own. */
    public static <T> T read(DataSource dataSource, String what, TransactionWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.apply(c);
        } catch (SQLException e) {
            throw new StorageException("Could not " + what + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code dataSource} connects to PostgreSQL (rather than H2): what LISTEN/NOTIFY needs. */
    public static boolean isPostgres(DataSource dataSource) {
        return read(
                dataSource,
                "read the database product",
                c -> c.getMetaData()
                        .getDatabaseProductName()
                        .toLowerCase(java.util.Locale.ROOT)
                        .contains("postgres"));
    }

    private static void rollbackQuietly(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** Whether {@code e} (or a cause) is a unique-constraint violation (SQLSTATE 23505 on PostgreSQL and H2). */
    public static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && "23505".equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** An instant as a UTC timestamp-with-time-zone parameter. */
    public static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    /** Reads a timestamp-with-time-zone column as an instant. */
    public static Instant instant(java.sql.ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    /** Reads one row into a value. */
    @FunctionalInterface
    public interface RowReader<T> {
        T read(java.sql.ResultSet rs) throws SQLException;
    }

    /**
     * One page of {@code SELECT columns FROM from where order}, with the total count of matching
     * rows; {@code where} starts with " WHERE" and uses {@code params}.
     */
    public static <T> dev.tenancy.Page<T> page(
            Connection c,
            String columns,
            String from,
            String where,
            java.util.List<Object> params,
            String order,
            int offset,
            int limit,
            RowReader<T> reader)
            throws SQLException {
        long total;
        try (java.sql.PreparedStatement count = c.prepareStatement("SELECT COUNT(*) FROM " + from + where)) {
            bind(count, params);
            try (java.sql.ResultSet rs = count.executeQuery()) {
                rs.next();
                total = rs.getLong(1);
            }
        }
        java.util.List<T> items = new java.util.ArrayList<>();
        try (java.sql.PreparedStatement select = c.prepareStatement(
                "SELECT " + columns + " FROM " + from + where + order + " OFFSET ? ROWS FETCH NEXT ? ROWS ONLY")) {
            bind(select, params);
            select.setInt(params.size() + 1, offset);
            select.setInt(params.size() + 2, limit);
            try (java.sql.ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    items.add(reader.read(rs));
                }
            }
        }
        return new dev.tenancy.Page<>(items, total, offset, limit);
    }

    /** Sets {@code params} as the statement's parameters 1..n. */
    public static void bind(java.sql.PreparedStatement statement, java.util.List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            statement.setObject(i + 1, params.get(i));
        }
    }

    /** Escapes {@code text} for a {@code LIKE ... ESCAPE '\'} pattern and lowercases it. */
    public static String containsPattern(String text) {
        StringBuilder sb = new StringBuilder("%");
        for (char c : text.toLowerCase(java.util.Locale.ROOT).toCharArray()) {
            if (c == '%' || c == '_' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('%').toString();
    }
}
