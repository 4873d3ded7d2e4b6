package dev.tenancy.billing;

import java.util.regex.Pattern;

/**
 * Something a tenant uses and a plan limits: API calls per month, seats, storage. A {@linkplain
 * #monthly() monthly} metric is counted afresh in each monthly usage period (anchored on the
 * subscription's anchor day); any other metric is a running total that never resets (seats go up
 * and down with positive and negative usage).
 *
 * @param key lowercase letters, digits and underscores, such as {@code api_calls}
 * @param monthly whether the count starts again every month
 */
public record Metric(String key, boolean monthly) {
    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    public static final Metric USERS = new Metric("users", false);
    public static final Metric STORAGE_MB = new Metric("storage_mb", false);
    public static final Metric API_CALLS = new Metric("api_calls", true);
    public static final Metric INVOICES = new Metric("invoices", true);
    public static final Metric INTEGRATIONS = new Metric("integrations", false);
    public static final Metric CUSTOM_DOMAINS = new Metric("custom_domains", false);

    public Metric {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("'" + key
                    + "' is not a metric key: use 1-63 lowercase letters, digits and underscores, starting with a"
                    + " letter (for example api_calls)");
        }
    }

    /** A monthly counter such as API calls. */
    public static Metric monthly(String key) {
        return new Metric(key, true);
    }

    /** A running total such as seats. */
    public static Metric total(String key) {
        return new Metric(key, false);
    }

    @Override
    public String toString() {
        return key;
    }
}
