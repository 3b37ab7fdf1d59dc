package io.github.taskgroup.autoconfigure;

import io.github.taskgroup.ContextPropagator;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupListener;
import io.github.taskgroup.TaskGroupOptions;
import java.util.Map;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@link TaskGroupFactory} bean: the properties become the factory's defaults and named group options,
 * and every {@link TaskGroupListener}, {@link ContextPropagator} and {@link TaskGroupFactoryBuilderCustomizer}
 * bean is applied in order. The factory's {@code close()} is its destroy method: Spring infers it.
 */
@Configuration(proxyBeanMethods = false)
class TaskGroupFactoryConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TaskGroupFactory taskGroupFactory(
            TaskGroupProperties properties,
            TaskGroupExecutor taskGroupExecutor,
            ListableBeanFactory beanFactory,
            ObjectProvider<TaskGroupListener> listeners,
            ObjectProvider<ContextPropagator> propagators,
            ObjectProvider<TaskGroupFactoryBuilderCustomizer> customizers) {
        TaskGroupFactory.Builder builder = TaskGroupFactory.builder()
                .executor(taskGroupExecutor.getExecutor())
                .defaults(defaults(properties))
                .renameThreads(properties.isRenameThreads())
                .jfrEvents(properties.isJfrEvents())
                .stragglerThreshold(Validation.required(
                        "taskgroup.straggler-threshold",
                        properties.getStragglerThreshold(),
                        "Set 'taskgroup.straggler-threshold' to a positive duration such as '1s' (the default), or"
                                + " remove it."));
        for (Map.Entry<String, TaskGroupProperties.Group> group :
                properties.getGroups().entrySet()) {
            builder.group(group.getKey(), groupOptions(group.getKey(), group.getValue(), beanFactory));
        }
        listeners.orderedStream().forEach(builder::listener);
        propagators.orderedStream().forEach(builder::contextPropagator);
        customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
        return builder.build();
    }

    static TaskGroupOptions defaults(TaskGroupProperties properties) {
        TaskGroupOptions.Builder options = TaskGroupOptions.builder()
                .timeout(Validation.positive("taskgroup.default-timeout", properties.getDefaultTimeout()))
                .policy(properties.getPolicy());
        Integer maxConcurrency = Validation.maxConcurrency("taskgroup.max-concurrency", properties.getMaxConcurrency());
        if (maxConcurrency != null) {
            options.maxConcurrency(maxConcurrency);
        }
        return options.build();
    }

    static TaskGroupOptions groupOptions(
            String name, TaskGroupProperties.Group group, ListableBeanFactory beanFactory) {
        return Validation.groupOptions(name, group, beanFactory);
    }
}
