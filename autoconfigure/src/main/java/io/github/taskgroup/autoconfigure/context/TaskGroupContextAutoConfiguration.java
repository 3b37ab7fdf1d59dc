package io.github.taskgroup.autoconfigure.context;

import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.autoconfigure.TaskGroupAutoConfiguration;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.context.integration.Slf4jThreadLocalAccessor;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import org.slf4j.MDC;
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
import org.springframework.core.task.TaskDecorator;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderThreadLocalAccessor;
import org.springframework.web.context.request.RequestAttributesThreadLocalAccessor;

/**
 * Auto-configuration of context propagation into tasks: a Micrometer context snapshot (MDC, security
 * context, request attributes, observation, and the application's own thread-local accessors) and the
 * application's {@link TaskDecorator} beans, each registered as a {@link io.github.taskgroup.ContextPropagator}
 * that the auto-configured factory picks up. Each library is optional and guarded by its class.
 */
@AutoConfiguration(before = TaskGroupAutoConfiguration.class)
@ConditionalOnClass(TaskGroupFactory.class)
@ConditionalOnBooleanProperty(name = "taskgroup.context.enabled", matchIfMissing = true)
@EnableConfigurationProperties(TaskGroupContextProperties.class)
@Import({
    TaskGroupContextAutoConfiguration.ContextSnapshotConfiguration.class,
    TaskGroupContextAutoConfiguration.TaskDecoratorConfiguration.class
})
public final class TaskGroupContextAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ContextSnapshotFactory.class)
    static class ContextSnapshotConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ContextSnapshotPropagator taskGroupContextSnapshotPropagator(
                ObjectProvider<TaskGroupContextRegistryCustomizer> customizers) {
            ContextSnapshotFactory snapshotFactory = ContextSnapshotFactory.builder()
                    .contextRegistry(TaskGroupContextRegistry.create(
                            customizers.orderedStream().toList()))
                    .clearMissing(true) // what the forking thread lacks, the task must lack too
                    .build();
            return new ContextSnapshotPropagator(snapshotFactory);
        }

        @Configuration(proxyBeanMethods = false)
        @ConditionalOnClass(MDC.class)
        @ConditionalOnBooleanProperty(name = "taskgroup.context.mdc", matchIfMissing = true)
        static class MdcConfiguration {

            @Bean
            TaskGroupContextRegistryCustomizer taskGroupMdcContext() {
                return (registry) -> registry.registerThreadLocalAccessor(new Slf4jThreadLocalAccessor());
            }
        }

        @Configuration(proxyBeanMethods = false)
        @ConditionalOnClass(SecurityContextHolder.class)
        @ConditionalOnBooleanProperty(name = "taskgroup.context.security", matchIfMissing = true)
        static class SecurityConfiguration {

            @Bean
            TaskGroupContextRegistryCustomizer taskGroupSecurityContext() {
                return (registry) ->
                        registry.registerThreadLocalAccessor(new SecurityContextHolderThreadLocalAccessor());
            }
        }

        @Configuration(proxyBeanMethods = false)
        @ConditionalOnClass(RequestAttributesThreadLocalAccessor.class)
        @ConditionalOnBooleanProperty(name = "taskgroup.context.request-attributes", matchIfMissing = true)
        static class RequestAttributesConfiguration {

            @Bean
            TaskGroupContextRegistryCustomizer taskGroupRequestAttributesContext() {
                return (registry) -> registry.registerThreadLocalAccessor(new RequestAttributesThreadLocalAccessor());
            }
        }

        @Configuration(proxyBeanMethods = false)
        @ConditionalOnClass(ObservationThreadLocalAccessor.class)
        @ConditionalOnBooleanProperty(name = "taskgroup.context.observation", matchIfMissing = true)
        static class ObservationConfiguration {

            @Bean
            TaskGroupContextRegistryCustomizer taskGroupObservationContext() {
                // The shared instance: the one Micrometer and Spring Boot configure with the registry.
                return (registry) -> registry.registerThreadLocalAccessor(ObservationThreadLocalAccessor.getInstance());
            }
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
