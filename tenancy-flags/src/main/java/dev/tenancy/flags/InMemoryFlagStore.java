package dev.tenancy.flags;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** {@link FlagStore#inMemory}: one lock; audit events appended after each change. */
final class InMemoryFlagStore implements FlagStore, FlagChangeNotifications {
    private final AuditLog audit;
    private final Map<String, FlagDefinition> definitions = new LinkedHashMap<>();
    private final Map<String, FlagOverride> overrides = new LinkedHashMap<>(); // tenant + '\u001f' + key
    private long version;
    private final java.util.List<Runnable> subscribers = new java.util.concurrent.CopyOnWriteArrayList<>();

    InMemoryFlagStore(AuditLog audit) {
        this.audit = Objects.requireNonNull(audit, "audit");
    }

    @Override
    public synchronized List<FlagDefinition> definitions() {
        return List.copyOf(definitions.values());
    }

    @Override
    public synchronized Optional<FlagDefinition> definition(String key) {
        return Optional.ofNullable(definitions.get(key));
    }

    @Override
    public synchronized List<FlagOverride> overrides() {
        return List.copyOf(overrides.values());
    }

    @Override
    public synchronized List<FlagOverride> overrides(TenantId tenant) {
        return overrides.values().stream()
                .filter(o -> o.tenant().equals(tenant))
                .toList();
    }

    @Override
    public synchronized long version() {
        return version;
    }

    @Override
    public void define(FlagDefinition definition, Actor actor, String reason) {
        Objects.requireNonNull(definition, "definition");
        FlagChanges.requireReason(reason, "Defining flag '" + definition.key() + "'");
        boolean created;
        synchronized (this) {
            FlagChanges.requireDefined(
                    definition.requires(),
                    k -> definitions.containsKey(k) || k.equals(definition.key()),
                    "Flag '" + definition.key() + "'");
            created = definitions.put(definition.key(), definition) == null;
            version++;
        }
        audit.append(FlagChanges.defined(definition, created, actor, reason));
        changed();
    }

    @Override
    public void remove(String key, Actor actor, String reason) {
        FlagChanges.requireReason(reason, "Removing flag '" + key + "'");
        synchronized (this) {
            if (!definitions.containsKey(key)) {
                return;
            }
            FlagChanges.requireNoDependents(key, List.copyOf(definitions.values()));
            definitions.remove(key);
            overrides.values().removeIf(o -> o.flagKey().equals(key));
            version++;
        }
        audit.append(FlagChanges.removed(key, actor, reason));
        changed();
    }

    @Override
    public void override(Collection<FlagOverride> changes, Actor actor) {
        List<FlagOverride> all = List.copyOf(changes);
        Objects.requireNonNull(actor, "actor");
        synchronized (this) {
            FlagChanges.requireDefined(
                    all.stream().map(FlagOverride::flagKey).toList(), definitions::containsKey, "An override");
            for (FlagOverride o : all) {
                overrides.put(o.tenant().value() + '\u001f' + o.flagKey(), o);
            }
            version++;
        }
        List<dev.tenancy.audit.AuditEntry> entries = new ArrayList<>();
        all.forEach(o -> entries.add(FlagChanges.overridden(o, actor)));
        entries.forEach(audit::append);
        changed();
    }

    @Override
    public void clearOverride(TenantId tenant, String key, Actor actor, String reason) {
        FlagChanges.requireReason(reason, "Clearing the override of '" + key + "' for '" + tenant + "'");
        synchronized (this) {
            if (overrides.remove(tenant.value() + '\u001f' + key) == null) {
                return;
            }
            version++;
        }
        audit.append(FlagChanges.cleared(tenant, key, actor, reason));
        changed();
    }

    @Override
    public AutoCloseable subscribe(Runnable onChange) {
        subscribers.add(onChange);
        return () -> subscribers.remove(onChange);
    }

    private void changed() {
        subscribers.forEach(Runnable::run);
    }
}
