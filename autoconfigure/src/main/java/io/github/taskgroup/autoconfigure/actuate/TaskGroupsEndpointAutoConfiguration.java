package io.github.taskgroup.autoconfigure.actuate;

import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.autoconfigure.TaskGroupAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@link TaskGroupsEndpoint taskgroups} Actuator endpoint, when it is available
 * (accessible and exposed over HTTP or JMX, as with Spring Boot's own endpoints) and the application has a
 * {@link TaskGroupFactory}.
 */
@AutoConfiguration(after = TaskGroupAutoConfiguration.class)
@ConditionalOnClass({TaskGroupFactory.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnAvailableEndpoint(TaskGroupsEndpoint.class)
public final class TaskGroupsEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(TaskGroupFactory.class)
    TaskGroupsEndpoint taskGroupsEndpoint(TaskGroupFactory taskGroupFactory) {
        return new TaskGroupsEndpoint(taskGroupFactory);
    }
}
