package dev.tenancy.catalog;

import dev.tenancy.TenantId;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The subscribers of a catalog's change notifications; a failing one cannot fail the change. */
final class CatalogSubscribers {
    private static final Logger LOG = LoggerFactory.getLogger(CatalogSubscribers.class);

    private final CopyOnWriteArrayList<Consumer<TenantId>> subscribers = new CopyOnWriteArrayList<>();

    AutoCloseable add(Consumer<TenantId> onChange) {
        Consumer<TenantId> subscriber = Objects.requireNonNull(onChange, "onChange")::accept;
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    /** Tells every subscriber that {@code id} changed ({@code null}: anything may have). */
    void changed(TenantId id) {
        for (Consumer<TenantId> subscriber : subscribers) {
            try {
                subscriber.accept(id);
            } catch (RuntimeException e) {
                LOG.warn("A catalog change subscriber failed on the change of tenant '{}'", id, e);
            }
        }
    }
}
