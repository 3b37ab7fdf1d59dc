package io.github.taskgroup.autoconfigure.web;

import io.github.taskgroup.autoconfigure.TaskGroupProperties;
import io.github.taskgroup.autoconfigure.Validation;
import io.github.taskgroup.web.RequestTaskGroupRegistry;
import io.github.taskgroup.web.RequestTaskGroupShutdownLifecycle;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What request-scoped groups need on every web stack, imported by the servlet and the reactive
 * auto-configurations: the registry of live request groups and the lifecycle that aborts them at shutdown.
 */
@Configuration(proxyBeanMethods = false)
public class RequestTaskGroupConfiguration {

    @Bean
    @ConditionalOnMissingBean
    RequestTaskGroupRegistry requestTaskGroupRegistry() {
        return new RequestTaskGroupRegistry();
    }

    @Bean
    @ConditionalOnMissingBean
    RequestTaskGroupShutdownLifecycle requestTaskGroupShutdownLifecycle(
            RequestTaskGroupRegistry registry, TaskGroupProperties properties) {
        return new RequestTaskGroupShutdownLifecycle(
                registry,
                Validation.notNegative(
                        "taskgroup.shutdown.await-termination-period",
                        properties.getShutdown().getAwaitTerminationPeriod()));
    }
}
