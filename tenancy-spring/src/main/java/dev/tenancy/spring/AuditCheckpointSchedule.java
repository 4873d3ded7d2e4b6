package dev.tenancy.spring;

import dev.tenancy.audit.JdbcAuditLog;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the audit chain's head outside the database every {@code tenancy.audit.checkpoint-interval}
 * ({@link JdbcAuditLog#checkpoint()}), so that {@code verify()} notices events cut off the end.
 */
final class AuditCheckpointSchedule extends Periodic {
    private static final Logger LOG = LoggerFactory.getLogger(AuditCheckpointSchedule.class);

    private final JdbcAuditLog audit;

    AuditCheckpointSchedule(JdbcAuditLog audit, Duration every) {
        super(
                "tenancy-audit-checkpoint",
                every,
                "tenancy.audit.checkpoint-interval",
                "no tenancy.audit.checkpoint-file");
        this.audit = audit;
    }

    @Override
    void runOnce() {
        try {
            audit.checkpoint();
        } catch (RuntimeException e) {
            LOG.warn("Could not checkpoint the audit log; the next run retries: {}", e.toString(), e);
        }
    }
}
