package dev.tenancy.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.audit.AuditEvent;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.AuditQuery;
import dev.tenancy.schedule.ScheduledJobs;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The starter's platform jobs: two nodes (two application contexts on one platform database) run
 * each scheduled time of a job once between them, every run audited with its counters; the
 * console's runs (and dry runs) go through the same jobs; a bad schedule fails the start naming it.
 */
class PlatformJobsTest {
    private final String database = "jobs_" + UUID.randomUUID().toString().substring(0, 8);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    TenancyAutoConfiguration.class,
                    TenancyTaskAutoConfiguration.class,
                    TenancyFlagsAutoConfiguration.class,
                    TenancyProvisioningAutoConfiguration.class,
                    TenancyBillingAutoConfiguration.class,
                    TenancyJobsAutoConfiguration.class,
                    DataSourceAutoConfiguration.class,
                    TaskExecutionAutoConfiguration.class))
            .withPropertyValues("spring.datasource.url=jdbc:h2:mem:" + database + ";DB_CLOSE_DELAY=-1");

    private static List<AuditEvent> runs(AuditLog audit, String job) {
        return audit
                .query(AuditQuery.builder()
                        .action("job.run")
                        .entityType("job")
                        .limit(1_000)
                        .build())
                .items()
                .stream()
                .filter(e -> e.entityId().equals(job))
                .toList();
    }

    @Test
    void twoNodesRunEachScheduledTimeOnce_betweenThem() {
        ApplicationContextRunner every = runner.withPropertyValues(
                "tenancy.jobs.check-interval=50ms",
                "tenancy.jobs.schedule.trial-conversion.cron=* * * * * *",
                "tenancy.jobs.schedule.subscription-cycle.enabled=false",
                "tenancy.jobs.schedule.mrr-snapshot.enabled=false",
                "tenancy.jobs.schedule.retention-purge.enabled=false");
        every.withPropertyValues("tenancy.jobs.node-id=one")
                .run(one -> every.withPropertyValues("tenancy.jobs.node-id=two").run(two -> {
                    AuditLog audit = one.getBean(AuditLog.class);
                    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                    while (runs(audit, "trial-conversion").size() < 4 && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                    }
                    List<AuditEvent> runs = runs(audit, "trial-conversion");
                    assertThat(runs).hasSizeGreaterThanOrEqualTo(4);
                    List<Object> slots =
                            runs.stream().map(e -> e.metadata().get("slot")).toList();
                    assertThat(slots).as("each time run once").doesNotHaveDuplicates();
                    assertThat(runs.getFirst().metadata().get("counters").toString())
                            .contains("converted", "expired");
                    assertThat(runs(audit, "mrr-snapshot")).as("switched off").isEmpty();
                }));
    }

    @Test
    void theConsoleRunsAJobNow_orPreviewsTheSubscriptionCycle() {
        runner.withPropertyValues("tenancy.jobs.enabled=false").run(context -> {
            PlatformJobs jobs = context.getBean(PlatformJobs.class);
            assertThat(jobs.list())
                    .extracting(PlatformJobs.JobView::name)
                    .containsExactlyInAnyOrder(
                            "retention-purge", "subscription-cycle", "trial-conversion", "mrr-snapshot");
            assertThat(jobs.list()).allSatisfy(j -> assertThat(j.enabled()).isFalse());

            ScheduledJobs.JobRun preview = jobs.run("subscription-cycle", true).orElseThrow();
            assertThat(preview.counters().get("dryRun")).isEqualTo(true);
            assertThat(preview.counters()).containsKey("createdCount");
            assertThat(runs(context.getBean(AuditLog.class), "subscription-cycle"))
                    .as("a preview changes nothing")
                    .isEmpty();

            ScheduledJobs.JobRun real = jobs.run("mrr-snapshot", false).orElseThrow();
            assertThat(real.counters()).containsKey("tenants");
            assertThat(runs(context.getBean(AuditLog.class), "mrr-snapshot")).hasSize(1);

            assertThatThrownBy(() -> jobs.run("trial-conversion", true))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("has no dry run")
                    .hasMessageContaining("subscription-cycle");
            assertThatThrownBy(() -> jobs.run("invoices", false))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("No job 'invoices'");
        });
    }

    @Test
    void aBadScheduleFailsTheStart_namingThePropertyAndTheFix() {
        runner.withPropertyValues("tenancy.jobs.schedule.trial-conversion.cron=daily")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("tenancy.jobs.schedule.trial-conversion.cron")
                        .hasMessageContaining("0 0 2 1 * *"));
        runner.withPropertyValues("tenancy.jobs.schedule.invoicing.enabled=false")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("no job 'invoicing'")
                        .hasMessageContaining("trial-conversion"));
    }
}
