package dev.tenancy.billing;

/**
 * How many calendar months one billing period lasts: {@link #MONTHLY}, {@link #QUARTERLY}, {@link
 * #ANNUAL}, or a custom number of months. Where a period starts is the {@link BillingSchedule}'s
 * business (anchor day, end-of-month clamping).
 *
 * @param months months per period, 1 to 36
 */
public record BillingCycle(int months) {
    public static final BillingCycle MONTHLY = new BillingCycle(1);
    public static final BillingCycle QUARTERLY = new BillingCycle(3);
    public static final BillingCycle ANNUAL = new BillingCycle(12);

    public BillingCycle {
        if (months < 1 || months > 36) {
            throw new IllegalArgumentException("A billing cycle lasts 1 to 36 months, was " + months
                    + ": use MONTHLY, QUARTERLY, ANNUAL or" + " BillingCycle.custom(n) with n in 1..36");
        }
    }

    /** A cycle of {@code months} months. */
    public static BillingCycle custom(int months) {
        return new BillingCycle(months);
    }

    /** "monthly", "quarterly", "annual" or "every N months". */
    public String label() {
        return switch (months) {
            case 1 -> "monthly";
            case 3 -> "quarterly";
            case 12 -> "annual";
            default -> "every " + months + " months";
        };
    }

    /** The inverse of {@link #label()}; also accepts "N" or "N months". */
    public static BillingCycle parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT);
        return switch (t) {
            case "monthly" -> MONTHLY;
            case "quarterly" -> QUARTERLY;
            case "annual", "annually", "yearly" -> ANNUAL;
            default -> {
                String digits = t.replace("every", "")
                        .replace("months", "")
                        .replace("month", "")
                        .trim();
                try {
                    yield custom(Integer.parseInt(digits));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + text
                            + "' is not a billing cycle: use monthly, quarterly, annual or \"every N months\"");
                }
            }
        };
    }

    @Override
    public String toString() {
        return label();
    }
}
