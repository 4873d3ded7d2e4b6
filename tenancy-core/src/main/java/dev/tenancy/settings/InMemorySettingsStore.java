package dev.tenancy.settings;

import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditEntry;
import dev.tenancy.audit.AuditLog;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** Sections held in memory; each write appends its audit event once it is stored. */
final class InMemorySettingsStore implements SettingsStore {
    private final AuditLog audit;
    private final Map<TenantId, Map<String, String>> sections = new ConcurrentHashMap<>();

    InMemorySettingsStore(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public Optional<String> read(TenantId tenant, String section) {
        return Optional.ofNullable(sections.getOrDefault(tenant, Map.of()).get(section));
    }

    @Override
    public Map<String, String> readAll(TenantId tenant) {
        return Map.copyOf(sections.getOrDefault(tenant, Map.of()));
    }

    @Override
    public synchronized int deleteAll(TenantId tenant, AuditEntry event) {
        Map<String, String> removed = sections.remove(tenant);
        if (removed == null || removed.isEmpty()) {
            return 0;
        }
        audit.append(event);
        return removed.size();
    }

    @Override
    public synchronized void write(TenantId tenant, String section, String json, AuditEntry event) {
        Map<String, String> updated = new TreeMap<>(sections.getOrDefault(tenant, Map.of()));
        if (json == null) {
            updated.remove(section);
        } else {
            updated.put(section, json);
        }
        sections.put(tenant, Map.copyOf(updated));
        audit.append(event);
    }
}
