package dev.tenancy.catalog;

import dev.tenancy.TenantId;
import java.util.function.Consumer;

/**
 * A {@link TenantCatalog} that tells subscribers which tenant changed: its record (status, tier,
 * name, placement) or its domains. Every catalog Tenancy ships implements it:
 *
 * <ul>
 *   <li>{@link TenantCatalog#inMemory in memory}: changes made through it, as they are made;
 *   <li>{@link JdbcTenantCatalog} on PostgreSQL: changes committed through any catalog on that
 *       database (every node), through LISTEN/NOTIFY on one dedicated connection per
 *       subscription; on other databases, changes made through this instance, after commit;
 *   <li>{@link TenantCatalog#cached cached}: what its delegate reports, each after the cache has
 *       dropped that tenant, so a lookup made from the callback sees the change (over a delegate
 *       that does not notify: changes made through the cache).
 * </ul>
 *
 * <p>Tenancy's feature flags subscribe, so that a plan change reaches plan rules on every node
 * within moments rather than at the next poll.
 */
public interface CatalogChangeNotifications {

    /**
     * Calls {@code onChange} with the id of each tenant that changed, after the change took effect,
     * or with {@code null} when changes may have been missed (the listening connection was lost and
     * is back) and any tenant may have changed. It runs on the writing thread or the listening
     * thread: keep it short (hand work to an executor); an exception it throws is logged and
     * ignored, never undoing the change. Closing the result unsubscribes.
     */
    AutoCloseable subscribe(Consumer<TenantId> onChange);
}
