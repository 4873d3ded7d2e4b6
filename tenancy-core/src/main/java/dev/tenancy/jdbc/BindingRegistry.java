package dev.tenancy.jdbc;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.sql.Connection;

/**
 * What each physical connection is known to be bound to. Keys are held weakly and by identity, so
 * a connection the pool closes drops out by itself. A connection that is not known, or was
 * forgotten because its last borrower may have disturbed it, is bound again on its next borrow.
 */
final class BindingRegistry {
    private final Cache<Connection, Binding> known =
            Caffeine.newBuilder().weakKeys().build();

    Binding get(Connection physical) {
        return known.getIfPresent(physical);
    }

    void remember(Connection physical, Binding binding) {
        known.put(physical, binding);
    }

    void forget(Connection physical) {
        known.invalidate(physical);
    }
}
