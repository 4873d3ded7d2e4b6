package dev.tenancy.spring;

import dev.tenancy.provision.FleetMigration;
import dev.tenancy.provision.FleetReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;

/**
 * Brings every tenant, and the shared model's tables on each server, to the application's newest
 * migrations while the context starts, before the web server takes requests: what Spring Boot's
 * own Flyway integration does for a single database. An up-to-date fleet costs one ledger query
 * and one Flyway check per server holding shared tenants.
 *
 * <p>A failure does not stop the application (one tenant's broken schema should not take every
 * tenant down): the tenants whose migration failed are refused (or served read-only, with {@code
 * tenancy.data-source.failed-migration-read-only}) until a later run succeeds, and the
 * report is logged as an error naming them and the servers whose shared tables failed.
 */
final class FleetMigrationOnStartup implements InitializingBean {
    private static final Logger LOG = LoggerFactory.getLogger(FleetMigrationOnStartup.class);

    private final FleetMigration fleet;

    FleetMigrationOnStartup(FleetMigration fleet) {
        this.fleet = fleet;
    }

    @Override
    public void afterPropertiesSet() {
        FleetReport report = fleet.run();
        if (report.complete()) {
            LOG.info("Tenant migrations: {}", report);
            return;
        }
        LOG.error(
                "Tenant migrations did not complete: {}; failed: {}. Fix the migration, then restart or run"
                        + " FleetMigration again (FleetMigration.repair(tenant) first on databases without"
                        + " transactional DDL)",
                report,
                failures(report));
    }

    private static String failures(FleetReport report) {
        StringBuilder s = new StringBuilder();
        for (FleetReport.SharedOutcome o : report.shared()) {
            if (o.result() == FleetReport.Result.FAILED) {
                s.append("shared tables on server ")
                        .append(o.server())
                        .append(" (")
                        .append(o.error())
                        .append("); ");
            }
        }
        for (FleetReport.Outcome o : report.outcomes()) {
            if (o.result() == FleetReport.Result.FAILED) {
                s.append(o.tenant()).append(" (").append(o.error()).append("); ");
            }
        }
        return s.isEmpty() ? "none (stopped)" : s.substring(0, s.length() - 2);
    }
}
