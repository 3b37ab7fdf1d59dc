package io.github.taskgroup.autoconfigure.actuate;

import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.autoconfigure.TaskGroupAutoConfiguration;
import io.github.taskgroup.web.RequestTaskGroup;
import io.github.taskgroup.web.RequestTaskGroupRegistry;
import java.util.function.LongFunction;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

/**
 * Auto-configuration of the {@link TaskGroupsEndpoint taskgroups} Actuator endpoint, when it is available
 * (accessible and exposed over HTTP or JMX, as with Spring Boot's own endpoints) and the application has a
 * {@link TaskGroupFactory}.
 */
@AutoConfiguration(after = TaskGroupAutoConfiguration.class)
@ConditionalOnClass({TaskGroupFactory.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnAvailableEndpoint(TaskGroupsEndpoint.class)
public final class TaskGroupsEndpointAutoConfiguration {

    private static final String REGISTRY = "io.github.taskgroup.web.RequestTaskGroupRegistry";

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(TaskGroupFactory.class)
    TaskGroupsEndpoint taskGroupsEndpoint(TaskGroupFactory taskGroupFactory, BeanFactory beanFactory) {
        if (!ClassUtils.isPresent(REGISTRY, TaskGroupsEndpointAutoConfiguration.class.getClassLoader())) {
            return new TaskGroupsEndpoint(taskGroupFactory);
        }
        return new TaskGroupsEndpoint(taskGroupFactory, RequestGroups.canceller(beanFactory));
    }

    /** Loaded only when taskgroup-spring-web is on the class path. */
    private static final class RequestGroups {

        static LongFunction<@Nullable Boolean> canceller(BeanFactory beanFactory) {
            ObjectProvider<RequestTaskGroupRegistry> registries =
                    beanFactory.getBeanProvider(RequestTaskGroupRegistry.class);
            return (id) -> {
                RequestTaskGroupRegistry registry = registries.getIfUnique();
                if (registry == null) {
                    return null;
                }
                return registry.find(id).map(RequestTaskGroup::cancelFromServer).orElse(null);
            };
        }
    }
}
