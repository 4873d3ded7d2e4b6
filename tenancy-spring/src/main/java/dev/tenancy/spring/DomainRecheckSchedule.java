package dev.tenancy.spring;

import dev.tenancy.Actor;
import dev.tenancy.catalog.CustomDomains;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link CustomDomains#recheck} every {@code tenancy.domains.recheck-interval} (1 hour by
 * default): a domain whose challenge record is gone stops serving its tenant; one whose DNS did not
 * answer is kept and logged. Every node rechecks; that is safe, only wasteful.
 */
final class DomainRecheckSchedule extends Periodic {
    private static final Logger LOG = LoggerFactory.getLogger(DomainRecheckSchedule.class);

    /** Who the recheck's audit events name. */
    static final Actor ACTOR = Actor.system("tenancy-domain-recheck");

    private final CustomDomains domains;

    DomainRecheckSchedule(CustomDomains domains, Duration every) {
        super(
                "tenancy-domain-recheck",
                every,
                "tenancy.domains.recheck-interval",
                "tenancy.domains.recheck-on-schedule=false");
        this.domains = domains;
    }

    @Override
    void runOnce() {
        try {
            CustomDomains.Recheck recheck = domains.recheck(ACTOR);
            if (!recheck.unverified().isEmpty()) {
                LOG.warn("Custom domains no longer proven, unverified: {}", recheck.unverified());
            }
            if (!recheck.unanswered().isEmpty()) {
                LOG.info("Custom domains whose DNS did not answer, kept: {}", recheck.unanswered());
            }
        } catch (RuntimeException e) {
            LOG.warn("The custom-domain recheck failed; the next one retries: {}", e.toString(), e);
        }
    }
}
