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
    private Method settings;
    private Method family;
    private Method dialect;

    CurrentTenantConfiguration(TenantConfigurations configurations, Configuration base) {
        this.configurations = configurations;
        this.base = base;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        // The proxy passes the same Method instance on every call: identity first, names once.
        if (method == settings) {
            return configurations.current().settings();
        }
        if (method == family) {
            return base.family();
        }
        if (method == dialect) {
            return base.dialect();
        }
        String name = method.getName();
        if (args == null) {
            learn(name, method);
            // the calls jOOQ makes dozens of times per statement, answered without reflection
            switch (name) {
                case "settings":
                    return configurations.current().settings();
                case "family":
                    return base.family();
                case "dialect":
                    return base.dialect();
                case "schemaMapping":
                    return configurations.current().schemaMapping();
                case "clock":
                    return base.clock();
                case "visitListenerProviders":
                    return configurations.current().visitListenerProviders();
                case "executeListenerProviders":
                    return configurations.current().executeListenerProviders();
                case "data":
                    return base.data();
                case "dsl":
                    return DSL.using((Configuration) proxy);
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "toString":
                    return "TenancyJooq configuration (follows the current tenant)";
                default:
                    break;
            }
        }
        if (method.getDeclaringClass() == Object.class) {
            return proxy == args[0]; // equals
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

    private void learn(String name, Method method) {
        switch (name) {
            case "settings" -> settings = method;
            case "family" -> family = method;
            case "dialect" -> dialect = method;
            default -> {}
        }
    }
}
