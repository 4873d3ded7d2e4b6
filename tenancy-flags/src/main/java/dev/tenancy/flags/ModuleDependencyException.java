package dev.tenancy.flags;

import dev.tenancy.TenancyException;
import dev.tenancy.TenantId;

/** Disabling a module that an enabled module requires; the message names both. */
public final class ModuleDependencyException extends TenancyException {
    private static final long serialVersionUID = 1L;

    ModuleDependencyException(TenantId tenant, String module, java.util.List<String> dependents) {
        super("Cannot disable module '" + module + "' for tenant '" + tenant + "': " + String.join(", ", dependents)
                + (dependents.size() == 1 ? " requires" : " require") + " it. Disable "
                + String.join(", ", dependents) + " first.");
    }
}
