package dev.tenancy.flags;

import dev.tenancy.Actor;
import dev.tenancy.audit.AuditEntry;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/** What every store checks and audits the same way, so the in-memory and JDBC stores cannot drift. */
final class FlagChanges {
    static final String FLAG = "flag";
    static final String OVERRIDE = "flag_override";

    private FlagChanges() {}

    static String requireReason(String reason, String what) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException(what + " needs a reason: it is audited and shown in the console");
        }
        return reason;
    }

    static void requireDefined(Collection<String> keys, Predicate<String> defined, String what) {
        for (String key : keys) {
            if (!defined.test(key)) {
                throw new IllegalArgumentException(
                        what + " names flag '" + key + "', which is not defined: define it first");
            }
        }
    }

    static void requireNoDependents(String key, List<FlagDefinition> all) {
        List<String> dependents = all.stream()
                .filter(d -> d.requires().contains(key))
                .map(FlagDefinition::key)
                .sorted()
                .toList();
        if (!dependents.isEmpty()) {
            throw new IllegalStateException(
                    "Flag '" + key + "' is required by " + dependents + ": remove or change those first");
        }
    }

    static AuditEntry defined(FlagDefinition d, boolean created, Actor actor, String reason) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reason", reason);
        m.put("category", d.category().name().toLowerCase(java.util.Locale.ROOT));
        m.put("default", d.defaultValue());
        if (!d.allowlist().isEmpty()) {
            m.put(
                    "allowlist",
                    d.allowlist().stream().map(Object::toString).sorted().toList());
        }
        if (!d.tiers().isEmpty()) {
            m.put("tiers", d.tiers().stream().sorted().toList());
        }
        if (d.tenantRollout() > 0) {
            m.put("tenant_rollout_percent", d.tenantRollout() / 100.0);
        }
        if (d.userRollout() > 0) {
            m.put("user_rollout_percent", d.userRollout() / 100.0);
        }
        if (!d.requires().isEmpty()) {
            m.put("requires", d.requires().stream().sorted().toList());
        }
        return AuditEntry.of(created ? "create" : "update", FLAG, d.key(), null, actor, m);
    }

    static AuditEntry removed(String key, Actor actor, String reason) {
        return AuditEntry.of("delete", FLAG, key, null, actor, Map.of("reason", reason));
    }

    static AuditEntry overridden(FlagOverride o, Actor actor) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reason", o.reason());
        m.put("enabled", o.enabled());
        if (o.expiresAt() != null) {
            m.put("expires_at", o.expiresAt().toString());
        }
        if (o.config() != null) {
            m.put("config", o.config());
        }
        return AuditEntry.of("override", OVERRIDE, o.flagKey(), o.tenant(), actor, m);
    }

    static AuditEntry cleared(dev.tenancy.TenantId tenant, String key, Actor actor, String reason) {
        return AuditEntry.of("clear", OVERRIDE, key, tenant, actor, Map.of("reason", Objects.requireNonNull(reason)));
    }
}
