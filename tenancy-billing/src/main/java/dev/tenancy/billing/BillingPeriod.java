package dev.tenancy.billing;

import java.time.LocalDate;
import java.util.Objects;

/**
 * A half-open range of days {@code [start, end)}: the days a subscription is billed for, or over
 * which usage is counted. {@link #lastDay()} is the inclusive end shown on invoices.
 */
public record BillingPeriod(LocalDate start, LocalDate end) {
    public BillingPeriod {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException(
                    "A billing period must end after it starts, was " + start + " to " + end);
        }
    }

    /** The period from {@code from} to {@code to}, both days included (as the admin console shows them). */
    public static BillingPeriod inclusive(LocalDate from, LocalDate to) {
        Objects.requireNonNull(from, "periodFrom");
        Objects.requireNonNull(to, "periodTo");
        if (to.isBefore(from)) {
            throw new IllegalArgumentException(
                    "periodTo " + to + " is before periodFrom " + from + ": swap them or fix the dates");
        }
        return new BillingPeriod(from, to.plusDays(1));
    }

    public boolean contains(LocalDate day) {
        return !day.isBefore(start) && day.isBefore(end);
    }

    /** The last day of the period, inclusive. */
    public LocalDate lastDay() {
        return end.minusDays(1);
    }

    @Override
    public String toString() {
        return start + ".." + lastDay();
    }
}
