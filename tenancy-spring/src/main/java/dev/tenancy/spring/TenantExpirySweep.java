package dev.tenancy.spring;

import dev.tenancy.Actor;
import dev.tenancy.provision.ExpiryReport;
import dev.tenancy.provision.TenantOffboarding;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link TenantOffboarding#expire} every {@code tenancy.offboarding.expiry-sweep} (5 minutes by
 * default) on one daemon thread, from when the context has started until it stops: expired sandbox
 * tenants are archived and purged without anyone running a job. Every node sweeps; sweeps on
 * several nodes at once are safe (each step locks the tenant's row). What a sweep does is logged;
 * a tenant that failed is logged as a warning and retried by the next sweep.
 */
final class TenantExpirySweep extends Periodic {
    private static final Logger LOG = LoggerFactory.getLogger(TenantExpirySweep.class);

    /** Who the sweep's audit events name. */
    static final Actor ACTOR = Actor.system("tenancy-expiry-sweep");

    private final TenantOffboarding offboarding;

    TenantExpirySweep(TenantOffboarding offboarding, Duration every) {
        super(
                "tenancy-expiry-sweep",
                every,
                "tenancy.offboarding.expiry-sweep",
                "tenancy.offboarding.expire-on-schedule=false");
        this.offboarding = offboarding;
    }

    @Override
    void runOnce() {
        sweep();
    }

    /** One sweep, logged; never throws, so that the schedule goes on. */
    void sweep() {
        try {
            ExpiryReport report = offboarding.expire(ACTOR);
            if (!report.retired().isEmpty() || !report.purged().isEmpty()) {
                LOG.info("Expired tenants: archived or rejected {}, purged {}", report.retired(), report.purged());
            }
            if (!report.failed().isEmpty()) {
                LOG.warn("Expired tenants not finished, retried by the next sweep: {}", report.failed());
            }
        } catch (RuntimeException e) {
            LOG.warn("The expiry sweep failed; the next one retries: {}", e.toString(), e);
        }
    }
}
