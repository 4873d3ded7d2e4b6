package dev.tenancy.internal;

import dev.tenancy.StorageException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Internal; not API. The names of Tenancy's PostgreSQL notification channels. A channel belongs to
 * the database, and any session of any role may {@code LISTEN} or {@code NOTIFY} on any name: with
 * well-known names, a tenant's session on the platform database would hear which tenants change and
 * when, and could make every node reload. Each name therefore ends with a random suffix kept in
 * {@code tenancy.tenancy_secrets}, which only the platform's role can read, created by the first
 * node that needs it.
 */
public final class Channels {
    private static final Map<DataSource, String> SUFFIXES = new ConcurrentHashMap<>();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Channels() {}

    /** {@code base} and this platform database's secret suffix, such as {@code tenancy_catalog_3f9a...}. */
    public static String name(DataSource platform, String base) {
        return base + "_" + SUFFIXES.computeIfAbsent(platform, Channels::suffix);
    }

    private static String suffix(DataSource platform) {
        try (Connection c = platform.getConnection()) {
            String found = read(c);
            if (found != null) {
                return found;
            }
            byte[] bytes = new byte[8];
            RANDOM.nextBytes(bytes);
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO tenancy.tenancy_secrets (name, secret) VALUES ('channels', ?) ON CONFLICT DO NOTHING")) {
                insert.setString(1, HexFormat.of().formatHex(bytes));
                insert.executeUpdate();
            }
            if (!c.getAutoCommit()) {
                c.commit();
            }
            return read(c); // another node's, if it got there first
        } catch (SQLException e) {
            throw new StorageException(
                    "Could not read the notification channels' suffix from tenancy.tenancy_secrets", e);
        }
    }

    private static String read(Connection c) throws SQLException {
        try (PreparedStatement s =
                        c.prepareStatement("SELECT secret FROM tenancy.tenancy_secrets WHERE name = 'channels'");
                ResultSet rs = s.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
