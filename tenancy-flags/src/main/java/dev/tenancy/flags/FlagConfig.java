package dev.tenancy.flags;

import dev.tenancy.TenantId;
import java.util.Objects;
import java.util.Optional;

/**
 * A handle on one flag's configuration payload read as {@code T}, to keep in a field next to the
 * flag's {@link Flag}: the payload for a tenant is its override's, else the definition's, and it
 * applies only while the flag is on for that tenant (and user). Obtained from {@link
 * Flag#config(Class)}.
 *
 * <pre>{@code
 * record ExportLimits(int maxRows, List<String> formats) {}
 *
 * private final FlagConfig<ExportLimits> exportLimits =
 *         flags.flag("export-limits").config(ExportLimits.class);
 *
 * int maxRows = exportLimits.get().map(ExportLimits::maxRows).orElse(100); // the current tenant
 * }</pre>
 *
 * <p>The payload is read with Jackson once per tenant and change, then shared by every call until
 * the next change: no parsing and no allocation per call. Treat the value as read-only (records
 * are the natural fit). A payload that cannot be read as {@code T} (an override written for
 * another shape, say) gives an empty result and a warning in the log (once per tenant and change),
 * never an exception; {@link
 * FeatureFlags#config(String, TenantId, Class)} reports it instead.
 */
public final class FlagConfig<T> {
    private final Flag flag;
    private final FeatureFlags flags;
    private final Class<T> type;

    FlagConfig(Flag flag, FeatureFlags flags, Class<T> type) {
        this.flag = flag;
        this.flags = flags;
        this.type = Objects.requireNonNull(type, "type");
    }

    /** For the current tenant; empty when the flag is off for it, has no payload, or no tenant is bound. */
    public Optional<T> get() {
        return flags.configForTheCurrentTenant(flag, null, type);
    }

    /** For the current tenant and {@code user} (the flag may be on for this user by a rollout by user). */
    public Optional<T> getFor(String user) {
        return flags.configForTheCurrentTenant(flag, Objects.requireNonNull(user, "user"), type);
    }

    /** For {@code tenant}. */
    public Optional<T> get(TenantId tenant) {
        return flags.config(flag, Objects.requireNonNull(tenant, "tenant"), null, type);
    }

    /** For {@code user} within {@code tenant}. */
    public Optional<T> get(TenantId tenant, String user) {
        return flags.config(flag, Objects.requireNonNull(tenant, "tenant"), Objects.requireNonNull(user, "user"), type);
    }

    /** The flag's handle. */
    public Flag flag() {
        return flag;
    }

    /** The type the payload is read as. */
    public Class<T> type() {
        return type;
    }

    @Override
    public String toString() {
        return "FlagConfig[" + flag.key() + " as " + type.getName() + "]";
    }
}
