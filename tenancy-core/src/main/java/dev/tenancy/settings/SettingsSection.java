package dev.tenancy.settings;

import java.util.Objects;

/**
 * One section of the tenants' settings, as declared to {@link TenantSettings.Builder#section(SettingsSection)}:
 * its key (in JSON, the audit log and {@link TenantSettings#merge}), the record that holds it, and
 * what a tenant without its own gets. With the Spring Boot starter, declare each as a bean.
 *
 * <pre>{@code
 * @Bean
 * SettingsSection<Branding> branding() {
 *     return SettingsSection.of("branding", Branding.class, Branding.DEFAULT);
 * }
 * }</pre>
 */
public record SettingsSection<T>(String key, Class<T> type, T defaults) {
    public SettingsSection {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(defaults, "defaults");
    }

    public static <T> SettingsSection<T> of(String key, Class<T> type, T defaults) {
        return new SettingsSection<>(key, type, defaults);
    }
}
