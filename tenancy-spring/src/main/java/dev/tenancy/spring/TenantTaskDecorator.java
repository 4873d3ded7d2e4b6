package dev.tenancy.spring;

import dev.tenancy.context.TenantContext;
import org.springframework.core.task.TaskDecorator;

/**
 * Runs each task in the tenant scope current where it was submitted (or scheduled), read-only if
 * that scope was: {@code @Async} methods, Spring MVC's asynchronous requests and tasks handed to
 * Spring Boot's executor and scheduler keep the request's tenant. A task submitted with nothing
 * bound runs with nothing bound.
 *
 * <p>Spring Boot applies a single {@code TaskDecorator} bean to its executor and scheduler. If the
 * application has a decorator of its own, combine them: {@code new CompositeTaskDecorator(List.of(new
 * TenantTaskDecorator(), mine))}.
 */
public final class TenantTaskDecorator implements TaskDecorator {

    @Override
    public Runnable decorate(Runnable runnable) {
        return TenantContext.wrap(runnable);
    }
}
