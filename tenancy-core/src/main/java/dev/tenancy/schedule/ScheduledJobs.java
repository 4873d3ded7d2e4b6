package dev.tenancy.schedule;

import dev.tenancy.Actor;
import dev.tenancy.StorageException;
import dev.tenancy.audit.AuditEntry;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.internal.ControlPlaneSchema;
import dev.tenancy.internal.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Platform jobs (the subscription cycle, trial conversion, purging after retention, MRR snapshots)
 * run once per scheduled time across every node, through a lease in the platform database
 * ({@code tenancy.tenancy_job_runs}): whichever node asks first for a time no node has finished
 * runs it; the others, asking at the same moment or later, are told it is taken or done.
 *
 * <pre>{@code
 * ScheduledJobs jobs = ScheduledJobs.builder(platformDataSource).auditLog(audit).nodeId("node-1").build();
 * jobs.runOnce("trial-conversion", todayAt0200, () -> Map.of("converted", 3));   // empty on the other nodes
 * }</pre>
 *
 * <p>A node that dies while running keeps the job until its lease ends ({@link Builder#leaseTime},
 * default one hour); then another node runs that time again. A job that throws is not marked done
 * for its time, so the next node to ask runs it again. Every run is audited ({@code job.run} or
 * {@code job.failed}, entity type {@code job}, the job's name) with the time it ran for, the node,
 * its duration and the counters the job returned. The first time a job is seen, the time it was
 * first seen is recorded as done: a new deployment does not run every job at once for times
 * before it existed ({@link #since}).
 */
public final class ScheduledJobs {
    private static final Logger LOG = LoggerFactory.getLogger(ScheduledJobs.class);
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,99}");

    /** What a job does: runs, and returns its counters for the audit log (never null). */
    @FunctionalInterface
    public interface Job {
        Map<String, ?> run();
    }

    /**
     * One run of a job.
     *
     * @param job the job's name
     * @param slot the scheduled time it ran for
     * @param node the node that ran it
     * @param startedAt when it started
     * @param finishedAt when it finished
     * @param counters what the job returned
     */
    public record JobRun(
            String job, Instant slot, String node, Instant startedAt, Instant finishedAt, Map<String, ?> counters) {}

    private final DataSource dataSource;
    private final AuditLog audit;
    private final String nodeId;
    private final Duration leaseTime;
    private final InstantSource clock;
    private final Actor actor;

    private ScheduledJobs(Builder b) {
        this.dataSource = b.dataSource;
        this.audit = Objects.requireNonNull(b.audit, "auditLog: every job run is audited; pass the AuditLog");
        this.nodeId = b.nodeId;
        this.leaseTime = b.leaseTime;
        this.clock = b.clock;
        this.actor = Actor.system("tenancy-jobs");
        ControlPlaneSchema.install(dataSource);
    }

    public static Builder builder(DataSource platform) {
        return new Builder(platform);
    }

    /** This node's id, as it holds jobs. */
    public String nodeId() {
        return nodeId;
    }

    /**
     * The last scheduled time {@code job} finished for, recording now as that time when the job
     * was never seen: a schedule computes its next time from this.
     */
    public Instant since(String job) {
        requireName(job);
        Instant now = clock.instant();
        try {
            return firstSeen(job, now);
        } catch (StorageException e) {
            if (!Jdbc.isUniqueViolation(e)) {
                throw e;
            }
            return firstSeen(job, now); // another node recorded it a moment ago
        }
    }

    private Instant firstSeen(String job, Instant now) {
        return Jdbc.inTransaction(dataSource, "read job '" + job + "'", c -> {
            Optional<Instant> last = lastSlot(c, job);
            if (last.isPresent()) {
                return last.get();
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO tenancy.tenancy_job_runs (job, last_slot)"
                    + " SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM tenancy.tenancy_job_runs WHERE job = ?)")) {
                s.setString(1, job);
                s.setObject(2, Jdbc.utc(now));
                s.setString(3, job);
                s.executeUpdate();
            }
            return lastSlot(c, job).orElse(now);
        });
    }

    /**
     * Runs {@code work} as {@code job} for the scheduled time {@code slot}, unless a node (this one
     * or another) holds the job now or has finished it for {@code slot} or a later time.
     *
     * @return the run, or empty when it was not this node's to run
     * @throws RuntimeException what the job threw, after auditing it as failed and releasing the job
     */
    public Optional<JobRun> runOnce(String job, Instant slot, Job work) {
        requireName(job);
        Objects.requireNonNull(slot, "slot");
        Objects.requireNonNull(work, "work");
        since(job); // the row exists
        String holding = nodeId + "/" + UUID.randomUUID().toString().substring(0, 8);
        Instant started = clock.instant();
        if (!take(job, slot, holding, started)) {
            return Optional.empty();
        }
        Map<String, ?> counters;
        try {
            counters = Objects.requireNonNull(work.run(), "the counters of job " + job);
        } catch (RuntimeException | Error e) {
            release(job, holding, null, null);
            Map<String, Object> meta = meta(slot, started, clock.instant(), Map.of());
            meta.put("error", String.valueOf(e.getMessage()));
            auditQuietly(AuditEntry.of("job.failed", "job", job, null, actor, meta));
            throw e;
        }
        Instant finished = clock.instant();
        release(job, holding, slot, finished);
        auditQuietly(AuditEntry.of("job.run", "job", job, null, actor, meta(slot, started, finished, counters)));
        return Optional.of(new JobRun(job, slot, nodeId, started, finished, counters));
    }

    /**
     * Runs {@code job} now, for the current time, unless a node holds it (a run asked for from the
     * console); a later scheduled time still runs at its time.
     */
    public Optional<JobRun> runNow(String job, Job work) {
        return runOnce(job, clock.instant(), work);
    }

    private Map<String, Object> meta(Instant slot, Instant started, Instant finished, Map<String, ?> counters) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("slot", slot.toString());
        meta.put("node", nodeId);
        meta.put("millis", Duration.between(started, finished).toMillis());
        meta.put("counters", counters);
        return meta;
    }

    private void auditQuietly(AuditEntry entry) {
        try {
            audit.append(entry);
        } catch (RuntimeException e) {
            LOG.warn("Could not audit {} of job {}", entry.action(), entry.entityId(), e);
        }
    }

    /** Takes {@code job} for {@code slot} when nobody holds it and it is not done for that time. */
    private boolean take(String job, Instant slot, String holding, Instant now) {
        return Jdbc.inTransaction(dataSource, "take job '" + job + "'", c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE tenancy.tenancy_job_runs SET holder = ?,"
                    + " held_until = ? WHERE job = ? AND (held_until IS NULL OR held_until < ?) AND last_slot < ?")) {
                s.setString(1, holding);
                s.setObject(2, Jdbc.utc(now.plus(leaseTime)));
                s.setString(3, job);
                s.setObject(4, Jdbc.utc(now));
                s.setObject(5, Jdbc.utc(slot));
                return s.executeUpdate() == 1;
            }
        });
    }

    /** Gives {@code job} up; with {@code slot}, marks it done for that time. */
    private void release(String job, String holding, Instant slot, Instant finished) {
        try {
            Jdbc.inTransaction(dataSource, "release job '" + job + "'", c -> {
                try (PreparedStatement s = c.prepareStatement("UPDATE tenancy.tenancy_job_runs SET holder = NULL,"
                        + " held_until = NULL" + (slot == null ? "" : ", last_slot = ?, last_finished_at = ?")
                        + " WHERE job = ? AND holder = ?")) {
                    int i = 1;
                    if (slot != null) {
                        s.setObject(i++, Jdbc.utc(slot));
                        s.setObject(i++, Jdbc.utc(finished));
                    }
                    s.setString(i++, job);
                    s.setString(i, holding);
                    return s.executeUpdate();
                }
            });
        } catch (StorageException e) {
            LOG.warn("Could not release job {}; it is free again once its lease ends", job, e);
        }
    }

    private static Optional<Instant> lastSlot(Connection c, String job) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT last_slot FROM tenancy.tenancy_job_runs WHERE job = ?")) {
            s.setString(1, job);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next()
                        ? Optional.of(rs.getObject(1, OffsetDateTime.class).toInstant())
                        : Optional.empty();
            }
        }
    }

    private static void requireName(String job) {
        if (job == null || !NAME.matcher(job).matches()) {
            throw new IllegalArgumentException("A job's name is lowercase letters, digits and '-', starting with a"
                    + " letter, at most 100 characters, like trial-conversion; was '" + job + "'");
        }
    }

    /** Builds {@link ScheduledJobs}: an audit log is required. */
    public static final class Builder {
        private final DataSource dataSource;
        private AuditLog audit;
        private String nodeId = "node-" + UUID.randomUUID().toString().substring(0, 8);
        private Duration leaseTime = Duration.ofHours(1);
        private InstantSource clock = InstantSource.system();

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** Where each run is recorded; required. */
        public Builder auditLog(AuditLog audit) {
            this.audit = Objects.requireNonNull(audit, "audit");
            return this;
        }

        /** This node's id on the jobs it holds and in the audit log (default random). */
        public Builder nodeId(String nodeId) {
            if (nodeId == null || nodeId.isBlank() || nodeId.length() > 80) {
                throw new IllegalArgumentException("A node id is 1 to 80 characters, was '" + nodeId + "'");
            }
            this.nodeId = nodeId;
            return this;
        }

        /**
         * How long a node holds a job before another may take it over, should the node die while
         * running it (default one hour): longer than any run takes.
         */
        public Builder leaseTime(Duration leaseTime) {
            if (leaseTime == null || leaseTime.isNegative() || leaseTime.isZero()) {
                throw new IllegalArgumentException("leaseTime must be positive, was " + leaseTime);
            }
            this.leaseTime = leaseTime;
            return this;
        }

        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public ScheduledJobs build() {
            return new ScheduledJobs(this);
        }
    }
}
