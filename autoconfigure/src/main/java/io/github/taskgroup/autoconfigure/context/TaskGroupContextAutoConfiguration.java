package io.github.taskgroup.autoconfigure.context;

import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.autoconfigure.TaskGroupAutoConfiguration;
import io.micrometer.context.ContextSnapshotFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.task.TaskDecorator;

/**
 * Auto-configuration of context propagation into tasks: a Micrometer context snapshot (MDC, security
 * context, request attributes, observation) and the application's {@link TaskDecorator} beans, each
 * registered as a {@link io.github.taskgroup.ContextPropagator} that the auto-configured factory picks up.
 */
@AutoConfiguration(before = TaskGroupAutoConfiguration.class)
@ConditionalOnClass(TaskGroupFactory.class)
@ConditionalOnBooleanProperty(name = "taskgroup.context.enabled", matchIfMissing = true)
@EnableConfigurationProperties(TaskGroupContextProperties.class)
@Import({ TaskGroupContextAutoConfiguration.ContextSnapshotConfiguration.class,
        TaskGroupContextAutoConfiguration.TaskDecoratorConfiguration.class })
public final class TaskGroupContextAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ContextSnapshotFactory.class)
    static class ContextSnapshotConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ContextSnapshotPropagator taskGroupContextSnapshotPropagator(TaskGroupContextProperties properties,
                ResourceLoader resourceLoader) {
            ContextSnapshotFactory snapshotFactory = ContextSnapshotFactory.builder()
                .contextRegistry(TaskGroupContextRegistry.create(properties, resourceLoader.getClassLoader()))
                .clearMissing(true) // what the forking thread lacks, the task must lack too
                .build();
            return new ContextSnapshotPropagator(snapshotFactory);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = "taskgroup.context.task-decorators", matchIfMissing = true)
    @ConditionalOnBean(TaskDecorator.class)
    static class TaskDecoratorConfiguration {

        @Bean
        @ConditionalOnMissingBean
        TaskDecoratorPropagator taskGroupTaskDecoratorPropagator(ObjectProvider<TaskDecorator> decorators) {
            return new TaskDecoratorPropagator(decorators.orderedStream().toList());
        }
    }
}
