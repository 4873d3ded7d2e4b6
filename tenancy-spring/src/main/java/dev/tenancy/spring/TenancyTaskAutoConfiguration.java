package dev.tenancy.spring;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.task.TaskDecorator;

/** A {@link TenantTaskDecorator} for Spring Boot's task executor and scheduler, unless the application has a decorator. */
@AutoConfiguration(before = {TaskExecutionAutoConfiguration.class, TaskSchedulingAutoConfiguration.class})
@ConditionalOnBooleanProperty(name = "tenancy.enabled", matchIfMissing = true)
public final class TenancyTaskAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(TaskDecorator.class)
    TenantTaskDecorator tenantTaskDecorator() {
        return new TenantTaskDecorator();
    }
}
