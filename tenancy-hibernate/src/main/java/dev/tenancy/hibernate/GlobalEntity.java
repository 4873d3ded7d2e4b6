package dev.tenancy.hibernate;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an entity that is deliberately shared by all tenants (reference data such as countries or
 * plans), so that the bootstrap check does not report it for lacking a {@code @TenantId}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface GlobalEntity {}
