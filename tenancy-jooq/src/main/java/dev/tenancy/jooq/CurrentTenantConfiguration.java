package dev.tenancy.jooq;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.jooq.Configuration;
import org.jooq.impl.DSL;

/**
 * The {@link Configuration} behind {@link TenancyJooq#dsl()}: what differs between tenants
 * (settings with the render mapping, visit and execute listeners, and every {@code derive}) comes
 * from the current tenant's derived configuration, the rest from the base, so a query renders and
 * connects as the tenant that executes it.
 * {@code derive(...)} returns a copy of the current tenant's configuration (a transaction stays
 * with the tenant that began it); {@code set(...)} is refused, as the base is configured up front.
 */
final class CurrentTenantConfiguration implements InvocationHandler {
    private final TenantConfigurations configurations;
    private final Configuration base;

    CurrentTenantConfiguration(TenantConfigurations configurations, Configuration base) {
        this.configurations = configurations;
        this.base = base;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "TenancyJooq configuration (follows the current tenant)";
            };
        }
        String name = method.getName();
        if (name.equals("dsl")) {
            return DSL.using((Configuration) proxy);
        }
        if (name.equals("set") || name.equals("setAppending")) {
            throw new UnsupportedOperationException("TenancyJooq's configuration follows the current tenant and"
                    + " cannot be changed with " + name + "(...): configure the base given to"
                    + " TenancyJooq.builder().configuration(...), or derive(...) a copy for the current tenant");
        }
        Object target = switch (name) {
            // what differs between tenants: the render mapping, the predicates, the guard
            case "settings",
                    "schemaMapping",
                    "visitListenerProviders",
                    "executeListenerProviders",
                    "derive",
                    "deriveAppending",
                    "deriveSettings" -> configurations.current();
            default -> base;
        };
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
