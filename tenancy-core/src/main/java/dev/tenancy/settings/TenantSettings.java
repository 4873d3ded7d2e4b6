package dev.tenancy.settings;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tenancy.Actor;
import dev.tenancy.ReadOnlyScopeException;
import dev.tenancy.TenantId;
import dev.tenancy.TenantOperation;
import dev.tenancy.UnknownTenantException;
import dev.tenancy.audit.AuditEntry;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.context.TenantContext;
import dev.tenancy.internal.ControlPlaneSchema;
import dev.tenancy.internal.PostgresListener;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Each tenant's settings: the sections the host application declares (its branding, locale,
 * security or notification settings), each a record with its defaults, as the seeds' "Tenant
 * Settings" screens edit them.
 *
 * <ul>
 *   <li>{@link #get} answers the tenant's section, or the declared default while it has none,
 *       from memory (a Caffeine cache; a change on this node is seen at once, on other nodes at
 *       once on PostgreSQL, which notifies them, and within {@link Builder#cacheTtl} elsewhere).
 *   <li>{@link #put} replaces a section, {@link #merge} applies a JSON merge patch (RFC 7386) to it
 *       (what a {@code PUT /settings/security} with only the fields it changes needs), {@link
 *       #reset} returns it to its default. The result is read back through the record, so its
 *       compact constructor validates it; an unknown field, a wrong type or a refused value is
 *       refused naming the field, and nothing is stored.
 *   <li>Every change is appended to the audit log with the fields it changed, before and after:
 *       keep secrets out of settings.
 * </ul>
 *
 * <pre>{@code
 * public record Branding(String primaryColor, String logoUrl) {
 *     public static final Branding DEFAULT = new Branding("#2563eb", null);
 *     public Branding { if (!primaryColor.matches("#[0-9a-fA-F]{6}")) throw new IllegalArgumentException(...); }
 * }
 * TenantSettings settings = TenantSettings.builder()
 *         .catalog(catalog).auditLog(audit).dataSource(platformDataSource)
 *         .section("branding", Branding.class, Branding.DEFAULT)
 *         .build();
 * settings.merge(acme, "branding", "{\"primaryColor\": \"#ff6600\"}", tenantAdmin);
 * Branding branding = settings.current(Branding.class);      // the bound tenant's
 * }</pre>
 */
public final class TenantSettings implements AutoCloseable {
    /** The audit log's entity type of settings changes; the entity id is the section's key. */
    public static final String ENTITY_TYPE = "tenant_settings";

    private static final int MAX_JSON = 65_535;

    private final TenantCatalog catalog;
    private final SettingsStore store;
    private final Map<String, Section<?>> byKey;
    private final Map<Class<?>, Section<?>> byType;
    private final JsonMapper json;
    private final Cache<Key, Object> cache;
    private final PostgresListener listener;

    private record Section<T>(String key, Class<T> type, T defaults) {}

    private record Key(TenantId tenant, String section) {}

    private TenantSettings(Builder b) {
        this.catalog = b.catalog;
        this.byKey = Map.copyOf(b.sections);
        Map<Class<?>, Section<?>> types = new LinkedHashMap<>();
        b.sections.values().forEach(s -> types.put(s.type(), s));
        this.byType = Map.copyOf(types);
        this.json = b.json;
        this.cache = Caffeine.newBuilder()
                .expireAfterWrite(b.cacheTtl)
                .maximumSize(b.cacheSize)
                .build();
        if (b.dataSource == null) {
            this.store = new InMemorySettingsStore(b.audit);
            this.listener = null;
        } else {
            if (b.installSchema) {
                ControlPlaneSchema.install(b.dataSource);
            }
            JdbcSettingsStore jdbc = new JdbcSettingsStore(b.dataSource, b.audit);
            this.store = jdbc;
            this.listener = jdbc.postgres()
                    ? new PostgresListener(
                            b.dataSource,
                            dev.tenancy.internal.Channels.name(b.dataSource, JdbcSettingsStore.CHANNEL),
                            "tenancy-settings-listener",
                            this::invalidate)
                    : null;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The tenant's section of {@code type}, or its default while the tenant has none. */
    public <T> T get(TenantId tenant, Class<T> type) {
        Objects.requireNonNull(tenant, "tenant");
        Section<T> section = section(type);
        return type.cast(cache.get(new Key(tenant, section.key()), k -> load(k.tenant(), section)));
    }

    /**
     * The bound tenant's section of {@code type}.
     *
     * @throws dev.tenancy.context.NoTenantBoundException when no tenant is bound
     */
    public <T> T current(Class<T> type) {
        return get(TenantContext.require(), type);
    }

    /** Every declared section of the tenant, by key, its own or the default: what a settings page shows. */
    public Map<String, Object> all(TenantId tenant) {
        Map<String, Object> all = new TreeMap<>();
        for (Section<?> section : byKey.values()) {
            all.put(section.key(), get(tenant, section.type()));
        }
        return all;
    }

    /** Whether the tenant has its own value of the section (rather than the default). */
    public boolean isSet(TenantId tenant, Class<?> type) {
        return store.read(tenant, section(type).key()).isPresent();
    }

    /**
     * Replaces the tenant's section with {@code value}.
     *
     * @return the section as stored
     * @throws UnknownTenantException when the tenant is not in the catalog
     * @throws dev.tenancy.TenantOperationRefusedException when its status does not allow changing
     *     settings ({@link TenantOperation#CHANGE_SETTINGS}: archived, rejected, purged)
     * @throws IllegalArgumentException when the value's type is not a declared section
     */
    @SuppressWarnings("unchecked")
    public <T> T put(TenantId tenant, T value, Actor actor) {
        ReadOnlyScopeException.refuseIfReadOnly("change settings");
        Objects.requireNonNull(value, "value");
        Section<T> section = section((Class<T>) value.getClass());
        return write(tenant, section, json.valueToTree(value), actor);
    }

    /**
     * Applies {@code patch}, a JSON merge patch (RFC 7386: the fields it names replace the
     * section's, nested objects merge, the rest are kept; a {@code null} removes the tenant's own
     * value, so the field takes the section's default again), to the tenant's section {@code key}.
     *
     * @return the section as stored
     * @throws IllegalArgumentException when the key names no section, the patch is not a JSON
     *     object, or the result is not a valid section (the message names the field); nothing is stored
     */
    public Object merge(TenantId tenant, String key, String patch, Actor actor) {
        ReadOnlyScopeException.refuseIfReadOnly("change settings");
        Section<?> section = byKey.get(key);
        if (section == null) {
            throw new IllegalArgumentException(
                    "No settings section '" + key + "'; the sections are " + new TreeMap<>(byKey).keySet());
        }
        JsonNode changes;
        try {
            changes = patch == null ? null : json.readTree(patch);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(
                    "The " + key + " settings patch is not JSON: " + e.getOriginalMessage(), e);
        }
        if (changes == null || !changes.isObject()) {
            throw new IllegalArgumentException("The " + key + " settings patch must be a JSON object, like"
                    + " {\"field\": \"new value\"}, was " + patch);
        }
        ObjectNode merged = json.valueToTree(get(tenant, section.type()));
        mergeInto(merged, (ObjectNode) changes, json.valueToTree(section.defaults()));
        return write(tenant, section, merged, actor);
    }

    /** Returns the tenant's section to its default (forgetting its own); nothing when it has none. */
    public <T> T reset(TenantId tenant, Class<T> type, Actor actor) {
        ReadOnlyScopeException.refuseIfReadOnly("reset settings");
        Section<T> section = section(type);
        requireChangeable(Objects.requireNonNull(tenant, "tenant"));
        if (store.read(tenant, section.key()).isEmpty()) {
            return section.defaults();
        }
        T before = get(tenant, type);
        store.write(
                tenant,
                section.key(),
                null,
                AuditEntry.of(
                        "settings.reset",
                        ENTITY_TYPE,
                        section.key(),
                        tenant,
                        actor,
                        Map.of("changed", changes(json.valueToTree(before), json.valueToTree(section.defaults())))));
        cache.invalidate(new Key(tenant, section.key()));
        return section.defaults();
    }

    /**
     * Deletes every section of {@code tenant}: what purging a tenant does ({@link
     * dev.tenancy.provision.TenantOffboarding.Builder#onPurge}). Audited with the count; nothing is
     * recorded when it had none.
     *
     * @return how many sections were deleted
     */
    public int forget(TenantId tenant, Actor actor) {
        ReadOnlyScopeException.refuseIfReadOnly("forget settings");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(actor, "actor");
        int deleted = store.deleteAll(
                tenant, AuditEntry.of("settings.forgotten", ENTITY_TYPE, "all", tenant, actor, Map.of()));
        invalidate(tenant.value());
        return deleted;
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close();
        }
    }

    /** The tenant is known and its status allows {@link TenantOperation#CHANGE_SETTINGS}. */
    private void requireChangeable(TenantId tenant) {
        TenantOperation.CHANGE_SETTINGS.require(
                catalog.find(tenant).orElseThrow(() -> new UnknownTenantException(tenant.value())));
    }

    private <T> T write(TenantId tenant, Section<T> section, JsonNode tree, Actor actor) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(actor, "actor");
        requireChangeable(tenant);
        T value = read(section, tree); // validated by the record before anything is stored
        String text = json.writeValueAsString(value);
        if (text.length() > MAX_JSON) {
            throw new IllegalArgumentException("The " + section.key() + " settings of '" + tenant + "' are "
                    + text.length() + " characters of JSON, more than the " + MAX_JSON + " allowed: keep large"
                    + " content (documents, images) elsewhere and refer to it");
        }
        JsonNode before = json.valueToTree(get(tenant, section.type()));
        Map<String, Object> changed = changes(before, json.readTree(text));
        if (changed.isEmpty() && store.read(tenant, section.key()).isPresent()) {
            return value;
        }
        store.write(
                tenant,
                section.key(),
                text,
                AuditEntry.of(
                        "settings.updated", ENTITY_TYPE, section.key(), tenant, actor, Map.of("changed", changed)));
        cache.put(new Key(tenant, section.key()), value);
        return value;
    }

    private <T> T load(TenantId tenant, Section<T> section) {
        return store.read(tenant, section.key())
                .map(text -> read(section, json.readTree(text)))
                .orElse(section.defaults());
    }

    private <T> T read(Section<T> section, JsonNode tree) {
        try {
            return json.treeToValue(tree, section.type());
        } catch (JacksonException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String field = e.getPath().isEmpty() ? "" : " (field '" + e.getPathReference() + "')";
            String why = cause instanceof IllegalArgumentException || cause instanceof NullPointerException
                    ? cause.getMessage()
                    : e.getOriginalMessage();
            throw new IllegalArgumentException("Invalid " + section.key() + " settings" + field + ": " + why, e);
        }
    }

    /** The top-level fields whose values differ, each as {@code {"from": ..., "to": ...}}. */
    private Map<String, Object> changes(JsonNode before, JsonNode after) {
        Map<String, Object> changed = new TreeMap<>();
        for (String field : after.propertyNames()) {
            JsonNode was = before.get(field);
            JsonNode now = after.get(field);
            if (!Objects.equals(was, now)) {
                Map<String, Object> change = new LinkedHashMap<>();
                change.put("from", was == null || was.isNull() ? null : json.treeToValue(was, Object.class));
                change.put("to", now.isNull() ? null : json.treeToValue(now, Object.class));
                changed.put(field, change);
            }
        }
        return changed;
    }

    /** RFC 7386 onto {@code target}; a {@code null} in the patch puts back the field's default. */
    private static void mergeInto(ObjectNode target, ObjectNode patch, JsonNode defaults) {
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            JsonNode value = field.getValue();
            JsonNode existing = target.get(field.getKey());
            JsonNode byDefault = defaults == null ? null : defaults.get(field.getKey());
            if (value.isNull()) {
                if (byDefault == null) {
                    target.putNull(field.getKey()); // no default known: the record decides whether null is allowed
                } else {
                    target.set(field.getKey(), byDefault.deepCopy());
                }
            } else if (value.isObject() && existing != null && existing.isObject()) {
                mergeInto((ObjectNode) existing, (ObjectNode) value, byDefault);
            } else {
                target.set(field.getKey(), value);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private <T> Section<T> section(Class<T> type) {
        Section<?> section = byType.get(Objects.requireNonNull(type, "type"));
        if (section == null) {
            throw new IllegalArgumentException("No settings section of type " + type.getName()
                    + "; declare it with TenantSettings.builder().section(key, type, defaults)");
        }
        return (Section<T>) section;
    }

    /** Invalidates one tenant's cached sections (a notification), or every tenant's ({@code null}: some may have been missed). */
    private void invalidate(String tenant) {
        if (tenant == null) {
            cache.invalidateAll();
        } else {
            cache.asMap().keySet().removeIf(k -> k.tenant().value().equals(tenant));
        }
    }

    /** Builds {@link TenantSettings}: a catalog, an audit log and at least one section are required. */
    public static final class Builder {
        private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_-]{0,63}");

        private TenantCatalog catalog;
        private AuditLog audit;
        private DataSource dataSource;
        private boolean installSchema = true;
        private Duration cacheTtl = Duration.ofMinutes(5);
        private long cacheSize = 100_000;
        private final Map<String, Section<?>> sections = new LinkedHashMap<>();
        private final JsonMapper json = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .build();

        private Builder() {}

        /** Where tenants are checked to exist before a change; required. */
        public Builder catalog(TenantCatalog catalog) {
            this.catalog = Objects.requireNonNull(catalog, "catalog");
            return this;
        }

        /** Where every change is recorded; required. */
        public Builder auditLog(AuditLog audit) {
            this.audit = Objects.requireNonNull(audit, "audit");
            return this;
        }

        /** The platform database to keep settings in ({@code tenancy.tenancy_tenant_settings}); in memory without one. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** Whether to install the control-plane tables on build (default true). */
        public Builder installSchema(boolean installSchema) {
            this.installSchema = installSchema;
            return this;
        }

        /**
         * How long a section read from the store is kept in memory (default 5 minutes): how soon a
         * change made on another node is seen off PostgreSQL; on PostgreSQL it is seen at once.
         */
        public Builder cacheTtl(Duration cacheTtl) {
            if (cacheTtl == null || cacheTtl.isNegative() || cacheTtl.isZero()) {
                throw new IllegalArgumentException("The settings cache TTL must be positive, was " + cacheTtl);
            }
            this.cacheTtl = cacheTtl;
            return this;
        }

        /**
         * Declares a section: its key (in JSON, the audit log and {@link TenantSettings#merge}), the record (or any
         * type Jackson reads and writes) that holds it, and what a tenant without its own gets.
         *
         * @throws IllegalArgumentException for a malformed or repeated key, a repeated type, or a
         *     default that does not read back equal from its JSON (the type cannot be stored)
         */
        public <T> Builder section(SettingsSection<T> section) {
            return section(section.key(), section.type(), section.defaults());
        }

        /** As {@link #section(SettingsSection)}. */
        public <T> Builder section(String key, Class<T> type, T defaults) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(defaults, "defaults");
            if (key == null || !KEY.matcher(key).matches()) {
                throw new IllegalArgumentException(
                        "Invalid settings section key '" + key
                                + "': use 1 to 64 lowercase letters, digits, '_' or '-', starting with a letter, like branding");
            }
            if (sections.containsKey(key) || sections.values().stream().anyMatch(s -> s.type() == type)) {
                throw new IllegalArgumentException(
                        "Settings section '" + key + "' (" + type.getSimpleName() + ") is declared twice");
            }
            T roundTrip;
            try {
                roundTrip = json.readValue(json.writeValueAsString(defaults), type);
            } catch (JacksonException e) {
                throw new IllegalArgumentException(
                        "Settings section '" + key + "': " + type.getName() + " cannot be stored as JSON: "
                                + e.getOriginalMessage(),
                        e);
            }
            if (!roundTrip.equals(defaults)) {
                throw new IllegalArgumentException("Settings section '" + key + "': the default " + defaults
                        + " reads back from JSON as " + roundTrip + "; give " + type.getSimpleName()
                        + " value equality (a record does) and properties Jackson reads and writes");
            }
            sections.put(key, new Section<>(key, type, defaults));
            return this;
        }

        public TenantSettings build() {
            if (catalog == null || audit == null) {
                throw new IllegalStateException("TenantSettings needs catalog(...) and auditLog(...)");
            }
            if (sections.isEmpty()) {
                throw new IllegalStateException(
                        "TenantSettings has no section: declare each with section(key, type, defaults)");
            }
            return new TenantSettings(this);
        }
    }
}
