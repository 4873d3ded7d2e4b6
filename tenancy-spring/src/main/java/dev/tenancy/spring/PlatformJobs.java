package dev.tenancy.spring;

import dev.tenancy.schedule.ScheduledJobs;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.support.CronExpression;

/**
 * The platform's jobs on their schedules, each run once per scheduled time across every node
 * ({@link ScheduledJobs}: a lease in the platform database, an audit event per run with its
 * counters): every {@code tenancy.jobs.check-interval} each node looks whether a job's time has
 * come since it last ran, and the first node to ask runs it. A node that was down at a job's time
 * runs it when it is back (once, for the latest time passed). {@link #run} runs a job now, for
 * the console's run button, with a dry run where the job has one.
 *
 * <pre>{@code
 * tenancy.jobs.schedule.subscription-cycle.cron=0 0 2 1 * *    # 02:00 on the 1st (the default)
 * tenancy.jobs.schedule.trial-conversion.enabled=false
 * tenancy.jobs.subscription-cycle-dry-run=true                  # scheduled cycles only preview
 * }</pre>
 */
public final class PlatformJobs extends Periodic {
    private static final Logger LOG = LoggerFactory.getLogger(PlatformJobs.class);

    /** One job as the console shows it. */
    public record JobView(
            String name, String cron, boolean enabled, boolean dryRunnable, Instant lastTime, Instant nextTime) {}

    private record Scheduled(PlatformJob job, CronExpression cron, boolean enabled) {}

    private final ScheduledJobs jobs;
    private final Map<String, Scheduled> byName = new LinkedHashMap<>();
    private final ZoneId zone;
    private final boolean cycleDryRun;
    private final boolean scheduling;

    PlatformJobs(ScheduledJobs jobs, List<PlatformJob> declared, TenancyProperties.Jobs properties) {
        super("tenancy-jobs", properties.checkInterval(), "tenancy.jobs.check-interval", "tenancy.jobs.enabled=false");
        this.jobs = jobs;
        this.zone = zone(properties.zone());
        this.cycleDryRun = properties.subscriptionCycleDryRun();
        this.scheduling = properties.enabled();
        for (PlatformJob job : declared) {
            TenancyProperties.Schedule configured = properties.schedule().get(job.name());
            String cron = configured == null || configured.cron() == null ? job.defaultCron() : configured.cron();
            boolean enabled = configured == null || configured.enabled() == null || configured.enabled();
            CronExpression expression;
            try {
                expression = CronExpression.parse(cron);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("tenancy.jobs.schedule." + job.name() + ".cron: '" + cron
                        + "' is not a cron expression (six fields: second minute hour day month weekday, like"
                        + " 0 0 2 1 * * for 02:00 on the 1st): " + e.getMessage());
            }
            byName.put(job.name(), new Scheduled(job, expression, enabled));
        }
        for (String name : properties.schedule().keySet()) {
            if (!byName.containsKey(name)) {
                throw new IllegalArgumentException("tenancy.jobs.schedule." + name + ": no job '" + name
                        + "'; the jobs are " + new TreeSet<>(byName.keySet()));
            }
        }
    }

    private static ZoneId zone(String zone) {
        try {
            return ZoneId.of(zone);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "tenancy.jobs.zone: '" + zone + "' is not a time zone (like UTC or Europe/Berlin)", e);
        }
    }

    /** The jobs, their schedules, when each last ran and when it runs next. */
    public List<JobView> list() {
        List<JobView> out = new ArrayList<>();
        for (Scheduled s : byName.values()) {
            Instant last = jobs.since(s.job().name());
            ZonedDateTime next = s.cron().next(last.atZone(zone));
            out.add(new JobView(
                    s.job().name(),
                    s.cron().toString(),
                    scheduling && s.enabled(),
                    s.job().dryRunnable(),
                    last,
                    next == null ? null : next.toInstant()));
        }
        return out;
    }

    /**
     * Runs {@code job} now on this node, unless a node is running it (a run from the console),
     * audited like a scheduled run.
     *
     * @return the run, or empty when another node holds the job
     * @throws IllegalArgumentException naming the jobs when there is no such job, or when a dry run
     *     is asked of a job that has none
     */
    public Optional<ScheduledJobs.JobRun> run(String job, boolean dryRun) {
        Scheduled s = byName.get(job);
        if (s == null) {
            throw new IllegalArgumentException("No job '" + job + "'; the jobs are " + new TreeSet<>(byName.keySet()));
        }
        if (dryRun && !s.job().dryRunnable()) {
            throw new IllegalArgumentException(
                    "Job '" + job + "' has no dry run; only " + dryRunnable() + " preview what they would do");
        }
        if (dryRun) { // a preview changes nothing: it needs no lease and marks no time done
            Map<String, Object> counters = new LinkedHashMap<>(s.job().work().run(LocalDate.now(zone), true));
            counters.put("dryRun", true);
            return Optional.of(new ScheduledJobs.JobRun(
                    job, Instant.now(), jobs.nodeId(), Instant.now(), Instant.now(), counters));
        }
        return jobs.runNow(job, () -> s.job().work().run(LocalDate.now(zone), false));
    }

    private List<String> dryRunnable() {
        return byName.values().stream()
                .filter(s -> s.job().dryRunnable())
                .map(s -> s.job().name())
                .toList();
    }

    /** Runs every job whose time has come since it last ran; what each node does every check interval. */
    void runDue() {
        Instant now = Instant.now();
        for (Scheduled s : byName.values()) {
            if (!s.enabled()) {
                continue;
            }
            String name = s.job().name();
            try {
                Instant slot = latestTime(s.cron(), jobs.since(name), now);
                if (slot == null) {
                    continue;
                }
                boolean dryRun = s.job().dryRunnable() && name.equals("subscription-cycle") && cycleDryRun;
                LocalDate day = LocalDate.ofInstant(slot, zone);
                jobs.runOnce(name, slot, () -> {
                            Map<String, Object> counters =
                                    new LinkedHashMap<>(s.job().work().run(day, dryRun));
                            if (dryRun) {
                                counters.put("dryRun", true);
                            }
                            return counters;
                        })
                        .ifPresent(
                                run -> LOG.info("Ran job {} for {} on {}: {}", name, slot, run.node(), run.counters()));
            } catch (RuntimeException e) {
                LOG.warn("Job {} failed; the next check runs it again", name, e);
            }
        }
    }

    /** The latest time of {@code cron} after {@code since} and not after {@code now}, or null. */
    private Instant latestTime(CronExpression cron, Instant since, Instant now) {
        ZonedDateTime next = cron.next(since.atZone(zone));
        Instant latest = null;
        for (int i = 0; next != null && !next.toInstant().isAfter(now) && i < 100_000; i++) {
            latest = next.toInstant();
            next = cron.next(next);
        }
        return latest;
    }

    @Override
    void runOnce() {
        runDue();
    }

    /** Nothing is scheduled with {@code tenancy.jobs.enabled=false}; {@link #run} still works. */
    @Override
    public synchronized void start() {
        if (scheduling) {
            super.start();
        }
    }
}
