package dev.tenancy.billing;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * Where the billing periods of one subscription fall: every {@link BillingCycle#months()} months
 * from the anchor date, on the anchor's day of the month, clamped to the month's last day when the
 * month is shorter (an anchor on 31 January gives 28 or 29 February, then 31 March). Periods
 * partition time: every day belongs to exactly one of them, before or after the anchor.
 *
 * @param cycle the period length
 * @param anchor the first day of one period (usually the subscription's start)
 * @param anchorDay the day of month periods start on (1-31); usually the anchor's own day
 */
public record BillingSchedule(BillingCycle cycle, LocalDate anchor, int anchorDay) {
    public BillingSchedule {
        Objects.requireNonNull(cycle, "cycle");
        Objects.requireNonNull(anchor, "anchor");
        if (anchorDay < 1 || anchorDay > 31) {
            throw new IllegalArgumentException("The anchor day is a day of the month, 1 to 31, was " + anchorDay);
        }
    }

    /** Periods of {@code cycle} starting on {@code anchor}'s day of the month. */
    public static BillingSchedule of(BillingCycle cycle, LocalDate anchor) {
        return new BillingSchedule(cycle, anchor, anchor.getDayOfMonth());
    }

    /** The start of the {@code k}-th period (0 is the one starting in the anchor's month; negative before). */
    public LocalDate start(long k) {
        YearMonth month = YearMonth.from(anchor).plusMonths(Math.multiplyExact(k, (long) cycle.months()));
        return month.atDay(Math.min(anchorDay, month.lengthOfMonth()));
    }

    /** The period that contains {@code day}. */
    public BillingPeriod periodContaining(LocalDate day) {
        long months = ChronoUnit.MONTHS.between(YearMonth.from(anchor), YearMonth.from(day));
        long k = Math.floorDiv(months, cycle.months());
        if (start(k).isAfter(day)) {
            k--;
        }
        return new BillingPeriod(start(k), start(k + 1));
    }

    /** The period after {@code period}. */
    public BillingPeriod next(BillingPeriod period) {
        return periodContaining(period.end());
    }
}
