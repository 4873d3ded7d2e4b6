package dev.tenancy.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Objects;

/**
 * An amount of money as a whole number of the currency's minor units (cents for USD) and an ISO
 * 4217 currency. Never floating point: arithmetic is exact on {@code long}, fails on overflow, and
 * the only rounding (a percentage of an amount) is half-even to the minor unit. Amounts of
 * different currencies are never added: that fails with an error naming both.
 *
 * @param minor the amount in minor units, negative for credits and discounts
 * @param currency the ISO 4217 currency
 */
public record Money(long minor, Currency currency) implements Comparable<Money> {
    public Money {
        Objects.requireNonNull(currency, "currency");
    }

    /** {@code minor} minor units of the currency with ISO code {@code currencyCode}. */
    public static Money of(long minor, String currencyCode) {
        return new Money(minor, currency(currencyCode));
    }

    /** Zero in {@code currency}. */
    public static Money zero(Currency currency) {
        return new Money(0, currency);
    }

    /** The ISO 4217 currency with {@code code}, or an error naming the code. */
    public static Currency currency(String code) {
        if (code == null || code.isBlank()) {
            throw new IllegalArgumentException("A currency is required: use an ISO 4217 code such as \"USD\"");
        }
        try {
            return Currency.getInstance(code.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "'" + code + "' is not an ISO 4217 currency code: use one such as \"USD\" or \"EUR\"", e);
        }
    }

    public Money plus(Money other) {
        return new Money(Math.addExact(minor, same(other).minor), currency);
    }

    public Money minus(Money other) {
        return new Money(Math.subtractExact(minor, same(other).minor), currency);
    }

    public Money times(long factor) {
        return new Money(Math.multiplyExact(minor, factor), currency);
    }

    public Money negate() {
        return new Money(Math.negateExact(minor), currency);
    }

    /** This amount divided by {@code divisor}, rounded half-even to the minor unit. */
    public Money dividedBy(long divisor) {
        if (divisor <= 0) {
            throw new IllegalArgumentException("Divide money by a positive number, was " + divisor);
        }
        long exact = BigDecimal.valueOf(minor)
                .divide(BigDecimal.valueOf(divisor), 0, RoundingMode.HALF_EVEN)
                .longValueExact();
        return new Money(exact, currency);
    }

    /** {@code basisPoints}/10,000 of this amount (1,500 = 15 %), rounded half-even to the minor unit. */
    public Money percent(int basisPoints) {
        long exact = BigDecimal.valueOf(minor)
                .multiply(BigDecimal.valueOf(basisPoints))
                .divide(BigDecimal.valueOf(10_000), 0, RoundingMode.HALF_EVEN)
                .longValueExact();
        return new Money(exact, currency);
    }

    public boolean isZero() {
        return minor == 0;
    }

    public boolean isPositive() {
        return minor > 0;
    }

    @Override
    public int compareTo(Money other) {
        return Long.compare(minor, same(other).minor);
    }

    private Money same(Money other) {
        if (!currency.equals(other.currency)) {
            throw new IllegalArgumentException("Cannot combine " + this + " with " + other
                    + ": amounts in different currencies are never added; convert first or keep them apart");
        }
        return other;
    }

    /** For example {@code USD 299.00}. */
    @Override
    public String toString() {
        int digits = Math.max(currency.getDefaultFractionDigits(), 0);
        return currency.getCurrencyCode() + " "
                + BigDecimal.valueOf(minor, digits).toPlainString();
    }
}
