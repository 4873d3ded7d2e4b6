package dev.tenancy.spring;

import dev.tenancy.billing.ApiThrottle;
import dev.tenancy.catalog.CatalogChangeNotifications;
import dev.tenancy.catalog.TenantCatalog;

/**
 * Resets a tenant's rate-limit buckets when its catalog record changes (a plan change moves its
 * tier), so its new tier's limits apply at its next request instead of when its buckets expire;
 * on PostgreSQL, changes made on any node. Every tenant's, when changes may have been missed.
 */
final class RateLimitsFollowTheCatalog implements AutoCloseable {
    private final AutoCloseable subscription;

    RateLimitsFollowTheCatalog(TenantCatalog catalog, ApiThrottle throttle) {
        this.subscription = catalog instanceof CatalogChangeNotifications notifications
                ? notifications.subscribe(tenant -> {
                    if (tenant == null) {
                        throttle.resetAll();
                    } else {
                        throttle.reset(tenant);
                    }
                })
                : () -> {};
    }

    @Override
    public void close() throws Exception {
        subscription.close();
    }
}
