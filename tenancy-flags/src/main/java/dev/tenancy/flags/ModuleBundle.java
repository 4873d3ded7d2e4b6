package dev.tenancy.flags;

import java.util.Set;

/**
 * A named set of modules sold together, such as "Commerce OS" = {@code wms_core} + {@code
 * module_b2b_storefront}. {@link FeatureFlags#enableBundle} enables them all (and what they require).
 */
public record ModuleBundle(String key, String name, Set<String> modules) {
    public ModuleBundle {
        FlagDefinition.requireKey(key);
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("Bundle '" + key + "' needs a display name");
        }
        modules = Set.copyOf(modules);
        if (modules.isEmpty()) {
            throw new IllegalArgumentException("Bundle '" + key + "' has no modules: name at least one");
        }
        modules.forEach(FlagDefinition::requireKey);
    }

    public static ModuleBundle of(String key, String name, String... modules) {
        return new ModuleBundle(key, name, Set.of(modules));
    }
}
