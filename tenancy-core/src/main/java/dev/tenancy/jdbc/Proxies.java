package dev.tenancy.jdbc;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * JDK proxies of the JDBC interfaces with their constructors looked up once: {@link
 * Proxy#newProxyInstance} finds the proxy class in a cache on every call, which was a measurable
 * part of each borrow.
 */
final class Proxies {
    private static final ClassValue<Constructor<?>> CONSTRUCTORS = new ClassValue<>() {
        @Override
        protected Constructor<?> computeValue(Class<?> type) {
            Object sample =
                    Proxy.newProxyInstance(Proxies.class.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> null);
            try {
                return sample.getClass().getConstructor(InvocationHandler.class);
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("JDK proxy class without the InvocationHandler constructor", e);
            }
        }
    };

    private Proxies() {}

    /** A proxy implementing {@code type} (a public interface) that calls {@code handler}. */
    static <T> T of(Class<T> type, InvocationHandler handler) {
        try {
            return type.cast(CONSTRUCTORS.get(type).newInstance(handler));
        } catch (InstantiationException | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("Cannot create a proxy of " + type.getName(), e);
        }
    }
}
