/**
 * Platform jobs run once per scheduled time across a cluster: {@link dev.tenancy.schedule.ScheduledJobs}.
 */
package dev.tenancy.schedule;
