package dev.tenancy.spring;

import dev.tenancy.jdbc.TenantDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Tenancy's meters, bound by Spring Boot to its registries:
 *
 * <ul>
 *   <li>{@code tenancy.requests.refused} (counter, tag {@code reason}: {@code tenant-not-resolved},
 *       {@code invalid-tenant}, {@code tenant-mismatch}, {@code tenant-not-active}, {@code
 *       unknown-tenant}, {@code rate-limited}): requests {@link TenantFilter} or {@link
 *       TenantRateLimitFilter} answered with a problem. A rise in {@code unknown-tenant} or {@code
 *       tenant-mismatch} is someone probing.
 *   <li>{@code tenancy.tenant.database.pools} and {@code tenancy.tenant.database.connections}
 *       (gauges): the open tenant-database pools and their connections, against {@code
 *       tenancy.data-source.max-tenant-pools} and {@code connection-budget}.
 * </ul>
 */
final class TenancyMetrics implements MeterBinder, TenantFilter.Refusals {
    static final List<String> REASONS = List.of(
            "tenant-not-resolved",
            "invalid-tenant",
            "tenant-mismatch",
            "tenant-not-active",
            "unknown-tenant",
            "rate-limited");

    private final TenantDataSource dataSource;
    private final List<Map<String, Counter>> refused = new CopyOnWriteArrayList<>();

    TenancyMetrics(TenantDataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Map<String, Counter> counters = new ConcurrentHashMap<>();
        for (String reason : REASONS) {
            counters.put(
                    reason,
                    Counter.builder("tenancy.requests.refused")
                            .description("Requests refused before reaching the application, by reason")
                            .tag("reason", reason)
                            .register(registry));
        }
        refused.add(counters);
        if (dataSource != null) {
            Gauge.builder("tenancy.tenant.database.pools", dataSource, TenantDataSource::tenantDatabasePools)
                    .description("Open tenant-database pools")
                    .register(registry);
            Gauge.builder(
                            "tenancy.tenant.database.connections",
                            dataSource,
                            TenantDataSource::tenantDatabaseConnections)
                    .description("Connections of the open tenant-database pools")
                    .register(registry);
        }
    }

    @Override
    public void refused(String reason) {
        for (Map<String, Counter> counters : refused) {
            Counter counter = counters.get(reason);
            if (counter != null) {
                counter.increment();
            }
        }
    }
}
