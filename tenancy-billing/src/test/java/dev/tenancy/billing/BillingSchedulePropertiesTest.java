package dev.tenancy.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** Billing periods partition time for every cycle and anchor; money stays exact. */
class BillingSchedulePropertiesTest {

    @Provide
    Arbitrary<LocalDate> days() {
        return Arbitraries.longs()
                .between(
                        LocalDate.of(1990, 1, 1).toEpochDay(),
                        LocalDate.of(2100, 12, 31).toEpochDay())
                .map(LocalDate::ofEpochDay);
    }

    @Property
    void every_day_is_in_exactly_one_period(
            @ForAll @IntRange(min = 1, max = 36) int months,
            @ForAll("days") LocalDate anchor,
            @ForAll @IntRange(min = 1, max = 31) int anchorDay,
            @ForAll("days") LocalDate day) {
        BillingSchedule schedule = new BillingSchedule(BillingCycle.custom(months), anchor, anchorDay);
        BillingPeriod p = schedule.periodContaining(day);
        assertThat(p.contains(day)).isTrue();
        // neighbours touch without overlap or gap
        assertThat(schedule.periodContaining(p.start().minusDays(1)).end()).isEqualTo(p.start());
        assertThat(schedule.periodContaining(p.end()).start()).isEqualTo(p.end());
        assertThat(schedule.periodContaining(p.lastDay())).isEqualTo(p);
        assertThat(schedule.next(p).start()).isEqualTo(p.end());
    }

    @Property
    void periods_start_on_the_anchor_day_clamped_to_the_months_end(
            @ForAll @IntRange(min = 1, max = 36) int months,
            @ForAll("days") LocalDate anchor,
            @ForAll @IntRange(min = 1, max = 31) int anchorDay,
            @ForAll("days") LocalDate day) {
        BillingPeriod p = new BillingSchedule(BillingCycle.custom(months), anchor, anchorDay).periodContaining(day);
        assertThat(p.start().getDayOfMonth())
                .isEqualTo(Math.min(anchorDay, p.start().lengthOfMonth()));
        long length = java.time.temporal.ChronoUnit.MONTHS.between(
                java.time.YearMonth.from(p.start()), java.time.YearMonth.from(p.end()));
        assertThat(length).isEqualTo(months);
    }

    @Example
    void an_anchor_on_the_31st_bills_on_the_last_day_of_short_months() {
        BillingSchedule s = BillingSchedule.of(BillingCycle.MONTHLY, LocalDate.of(2026, 1, 31));
        assertThat(s.periodContaining(LocalDate.of(2026, 2, 15)))
                .isEqualTo(new BillingPeriod(LocalDate.of(2026, 1, 31), LocalDate.of(2026, 2, 28)));
        assertThat(s.periodContaining(LocalDate.of(2026, 3, 1)))
                .isEqualTo(new BillingPeriod(LocalDate.of(2026, 2, 28), LocalDate.of(2026, 3, 31)));
        assertThat(s.periodContaining(LocalDate.of(2028, 2, 29)).start()).isEqualTo(LocalDate.of(2028, 2, 29));
    }

    @Property
    void a_discount_never_exceeds_the_amount_and_never_goes_below_zero(
            @ForAll @LongRange(min = 0, max = 1_000_000_000_000L) long minor,
            @ForAll @IntRange(min = 1, max = 10_000) int basisPoints) {
        Money amount = Money.of(minor, "USD");
        Money off = amount.percent(basisPoints);
        assertThat(off.minor()).isBetween(0L, minor);
        assertThat(amount.minus(off).minor()).isBetween(0L, minor);
    }
}
