package dev.tenancy.spring;

import java.time.LocalDate;
import java.util.Map;
import java.util.Objects;

/**
 * One platform job {@link PlatformJobs} runs on a schedule (and on demand): its name, its default
 * cron expression (Spring's six fields, in {@code tenancy.jobs.zone}), and what it does. The
 * starter declares the subscription cycle, trial conversion and MRR snapshots (with
 * tenancy-billing) and the retention purge; declare a bean of your own to add one.
 *
 * @param name the job's name, as in {@code tenancy.jobs.schedule.<name>.cron} and the audit log
 * @param defaultCron when it runs unless configured
 * @param dryRunnable whether it can preview what it would do without doing it
 * @param work what it does
 */
public record PlatformJob(String name, String defaultCron, boolean dryRunnable, Work work) {

    /** A job's work: for the day it runs for (in the jobs' zone), really or as a preview; returns its counters. */
    @FunctionalInterface
    public interface Work {
        Map<String, ?> run(LocalDate day, boolean dryRun);
    }

    public PlatformJob {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(defaultCron, "defaultCron");
        Objects.requireNonNull(work, "work");
    }
}
