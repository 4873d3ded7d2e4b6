package dev.tenancy.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MoneyTest {
    @Test
    void adds_and_prints_in_minor_units() {
        assertThat(Money.of(29_900, "USD").plus(Money.of(9_900, "usd"))).isEqualTo(Money.of(39_800, "USD"));
        assertThat(Money.of(39_800, "USD")).hasToString("USD 398.00");
        assertThat(Money.of(1_000, "JPY")).hasToString("JPY 1000");
    }

    @Test
    void a_percentage_rounds_half_even_to_the_minor_unit() {
        assertThat(Money.of(29_900, "USD").percent(1_500)).isEqualTo(Money.of(4_485, "USD"));
        assertThat(Money.of(5, "USD").percent(5_000)).isEqualTo(Money.of(2, "USD")); // 2.5 -> 2
        assertThat(Money.of(7, "USD").percent(5_000)).isEqualTo(Money.of(4, "USD")); // 3.5 -> 4
    }

    @Test
    void never_adds_two_currencies() {
        assertThatThrownBy(() -> Money.of(100, "USD").plus(Money.of(100, "EUR")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("USD 1.00")
                .hasMessageContaining("EUR 1.00");
    }

    @Test
    void an_unknown_currency_is_named() {
        assertThatThrownBy(() -> Money.of(1, "DOLLARS"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'DOLLARS' is not an ISO 4217 currency code");
    }

    @Test
    void overflow_fails_instead_of_wrapping() {
        assertThatThrownBy(() -> Money.of(Long.MAX_VALUE, "USD").plus(Money.of(1, "USD")))
                .isInstanceOf(ArithmeticException.class);
    }
}
