package io.github.taskgroup.autoconfigure;

import io.github.taskgroup.TaskGroupFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The graceful shutdown of whichever factory the context has, the application's own included. Imported
 * after {@link TaskGroupFactoryConfiguration}, so that the single-candidate condition sees its factory.
 */
@Configuration(proxyBeanMethods = false)
class TaskGroupShutdownConfiguration {

    @Bean
    @ConditionalOnSingleCandidate(TaskGroupFactory.class)
    @ConditionalOnMissingBean
    TaskGroupShutdownLifecycle taskGroupShutdownLifecycle(
            TaskGroupFactory taskGroupFactory, TaskGroupProperties properties) {
        TaskGroupProperties.Shutdown shutdown = properties.getShutdown();
        return new TaskGroupShutdownLifecycle(
                taskGroupFactory,
                Validation.notNegative(
                        "taskgroup.shutdown.await-termination-period", shutdown.getAwaitTerminationPeriod()),
                Validation.notNegative(
                        "taskgroup.shutdown.await-cancellation-period", shutdown.getAwaitCancellationPeriod()));
    }
}
