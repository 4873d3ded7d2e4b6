package dev.tenancy.spring;

import dev.tenancy.Actor;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.provision.RetentionReport;
import dev.tenancy.provision.TenantOffboarding;
import dev.tenancy.schedule.ScheduledJobs;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The platform's scheduled jobs ({@code tenancy.jobs.*}): {@link PlatformJobs} runs every {@link
 * PlatformJob} bean on its schedule, once per scheduled time across the cluster. Declared here:
 * {@code retention-purge} (archived tenants whose retention has passed, daily at 03:30); with
 * tenancy-billing, {@code subscription-cycle}, {@code trial-conversion} and {@code mrr-snapshot}.
 */
@AutoConfiguration(
        after = {
            TenancyAutoConfiguration.class,
            TenancyProvisioningAutoConfiguration.class,
            TenancyBillingAutoConfiguration.class
        })
@ConditionalOnBean(AuditLog.class)
public final class TenancyJobsAutoConfiguration {

    /** The actor that scheduled jobs act as in the audit log. */
    static final Actor JOBS = Actor.system("tenancy-jobs");

    @Bean
    @ConditionalOnMissingBean
    ScheduledJobs tenancyScheduledJobs(
            @TenancyPlatform DataSource platform, AuditLog audit, TenancyProperties properties) {
        ScheduledJobs.Builder jobs = ScheduledJobs.builder(platform)
                .auditLog(audit)
                .leaseTime(properties.jobs().leaseTime());
        if (properties.jobs().nodeId() != null && !properties.jobs().nodeId().isBlank()) {
            jobs.nodeId(properties.jobs().nodeId());
        }
        return jobs.build();
    }

    @Bean
    @ConditionalOnMissingBean
    PlatformJobs tenancyPlatformJobs(
            ScheduledJobs jobs, ObjectProvider<PlatformJob> declared, TenancyProperties properties) {
        return new PlatformJobs(jobs, declared.orderedStream().toList(), properties.jobs());
    }

    /** Purges archived tenants once their retention has passed, daily at 03:30. */
    @Bean
    @ConditionalOnBean(TenantOffboarding.class)
    PlatformJob tenancyRetentionPurgeJob(TenantOffboarding offboarding) {
        return new PlatformJob("retention-purge", "0 30 3 * * *", false, (day, dryRun) -> {
            RetentionReport report = offboarding.purgeRetained(JOBS);
            return Map.of(
                    "purged", report.purged().size(), "failed", report.failed().size());
        });
    }
}
