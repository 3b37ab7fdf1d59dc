package io.github.taskgroup.autoconfigure;

import io.github.taskgroup.TaskGroupFactory;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Auto-configuration of a {@link TaskGroupFactory}: its executor ({@code taskgroup.executor.*}), group
 * defaults and named groups ({@code taskgroup.*}), and its graceful shutdown ({@code taskgroup.shutdown.*}).
 * It never defines an {@code Executor} bean, so Spring Boot's {@code applicationTaskExecutor} stays as it is.
 */
@AutoConfiguration
@ConditionalOnClass(TaskGroupFactory.class)
@EnableConfigurationProperties(TaskGroupProperties.class)
@Import({ TaskGroupExecutorConfiguration.class, TaskGroupFactoryConfiguration.class,
        TaskGroupAutoConfiguration.ShutdownConfiguration.class })
public final class TaskGroupAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    static class ShutdownConfiguration {

        @Bean
        @ConditionalOnSingleCandidate(TaskGroupFactory.class)
        @ConditionalOnMissingBean
        TaskGroupShutdownLifecycle taskGroupShutdownLifecycle(TaskGroupFactory taskGroupFactory,
                TaskGroupProperties properties) {
            TaskGroupProperties.Shutdown shutdown = properties.getShutdown();
            return new TaskGroupShutdownLifecycle(taskGroupFactory,
                    Validation.notNegative("taskgroup.shutdown.await-termination-period",
                            shutdown.getAwaitTerminationPeriod()),
                    Validation.notNegative("taskgroup.shutdown.await-cancellation-period",
                            shutdown.getAwaitCancellationPeriod()));
        }
    }
}
