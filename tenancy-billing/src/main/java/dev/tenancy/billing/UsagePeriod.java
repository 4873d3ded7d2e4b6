package dev.tenancy.billing;

import java.time.LocalDate;

/**
 * Usage of one metric in one period, for the admin console's history.
 *
 * @param metric the metric key
 * @param periodStart the first day of the usage period ({@link UsageMeter#LIFETIME} for metrics that never reset)
 * @param sum the net usage counted
 * @param max the highest level the count reached in the period
 * @param count how many usage records were counted
 */
public record UsagePeriod(String metric, LocalDate periodStart, long sum, long max, long count) {}
