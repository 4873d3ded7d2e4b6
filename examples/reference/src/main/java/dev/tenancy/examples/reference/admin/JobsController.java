package dev.tenancy.examples.reference.admin;

import dev.tenancy.Actor;
import dev.tenancy.access.AccessPolicy;
import dev.tenancy.access.Permission;
import dev.tenancy.spring.PlatformJobs;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The platform's scheduled jobs in the console (the admin manual's chapter 17: run the
 * subscription cycle, dry run first): each job's schedule and last and next run, and a run button.
 * The starter runs them on their schedules, once per time across the nodes, and audits each run.
 */
@RestController
@RequestMapping("/admin/api/jobs")
class JobsController {
    private final PlatformJobs jobs;
    private final AccessPolicy policy;

    JobsController(PlatformJobs jobs, AccessPolicy policy) {
        this.jobs = jobs;
        this.policy = policy;
    }

    /** Every job: its cron, whether it runs on its schedule, when it last ran and runs next. */
    @GetMapping
    List<PlatformJobs.JobView> list(Authentication authentication) {
        policy.require(AdminController.actor(authentication), Permission.BILLING_READ);
        return jobs.list();
    }

    /** The body of a run: {@code {"dryRun": true}} previews (the subscription cycle only). */
    record Run(Boolean dryRun) {}

    /**
     * Runs {@code job} now (or previews it): 200 with its counters, 409 when another node is running
     * it. Billing jobs need {@code platform.billing.update}; the retention purge {@code
     * platform.tenants.update}.
     */
    @PostMapping("/{job}/run")
    ResponseEntity<Object> run(
            Authentication authentication, @PathVariable String job, @RequestBody(required = false) Run body) {
        Actor actor = AdminController.actor(authentication);
        policy.require(actor, job.equals("retention-purge") ? Permission.TENANTS_UPDATE : Permission.BILLING_UPDATE);
        boolean dryRun = body != null && Boolean.TRUE.equals(body.dryRun());
        return jobs.run(job, dryRun)
                .<ResponseEntity<Object>>map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.status(HttpStatus.CONFLICT)
                        .body(ProblemDetail.forStatusAndDetail(
                                HttpStatus.CONFLICT,
                                "Job '" + job + "' is running on another node; try again when it is done")));
    }
}
