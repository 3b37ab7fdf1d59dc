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
import org.springframework.core.env.Environment;

/**
 * The {@link TaskGroupFactory} bean: the properties become the factory's defaults and named group options,
 * and every {@link TaskGroupListener}, {@link ContextPropagator} and {@link TaskGroupFactoryBuilderCustomizer}
 * bean is applied in order. The factory is named by {@code taskgroup.name} (else {@code spring.application.name});
 * with {@code taskgroup.jmx.enabled} (else {@code spring.jmx.enabled}) it registers its MBean. The factory's
 * {@code close()} is its destroy method, which Spring infers; it unregisters the MBean.
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
            ObjectProvider<TaskGroupFactoryBuilderCustomizer> customizers,
            Environment environment) {
        boolean jmx = jmxEnabled(properties, environment);
        TaskGroupFactory.Builder builder = TaskGroupFactory.builder()
                .name(name(properties, environment))
                .jmx(jmx)
                .jmxCancel(jmxCancel(properties, jmx))
                .executor(taskGroupExecutor.getExecutor())
                .defaults(defaults(properties))
                .renameThreads(properties.isRenameThreads())
                .jfrEvents(properties.isJfrEvents())
                .stragglerThreshold(Validation.required(
                        "taskgroup.straggler-threshold",
                        properties.getStragglerThreshold(),
                        "Set 'taskgroup.straggler-threshold' to a positive duration such as '1s' (the default), or"
                                + " remove it."));

        Validation.limits(properties, builder);
        for (Map.Entry<String, TaskGroupProperties.Group> group :
                properties.getGroups().entrySet()) {
            builder.group(
                    group.getKey(),
                    Validation.groupOptions(group.getKey(), group.getValue(), beanFactory, properties.getLimits()));
        }
        listeners.orderedStream().forEach(builder::listener);
        propagators.orderedStream().forEach(builder::contextPropagator);
        customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
        return builder.build();
    }

    /** taskgroup.name, else spring.application.name, else "application"; blank is refused at start-up. */
    static String name(TaskGroupProperties properties, Environment environment) {
        String name = properties.getName();
        if (name == null) {
            String application = environment.getProperty("spring.application.name");
            return (application != null && !application.isBlank()) ? application : "application";
        }
        if (name.isBlank()) {
            throw new InvalidTaskGroupPropertyException(
                    "taskgroup.name",
                    name,
                    "the factory's name must not be blank",
                    "Set taskgroup.name to a name for dumps and the JMX MBean, or remove it to use"
                            + " spring.application.name.");
        }
        return name;
    }

    /** taskgroup.jmx.enabled, else spring.jmx.enabled, else false. */
    static boolean jmxEnabled(TaskGroupProperties properties, Environment environment) {
        Boolean enabled = properties.getJmx().getEnabled();
        return (enabled != null) ? enabled : environment.getProperty("spring.jmx.enabled", Boolean.class, false);
    }

    static boolean jmxCancel(TaskGroupProperties properties, boolean jmx) {
        boolean cancel = properties.getJmx().isCancelEnabled();
        if (cancel && !jmx) {
            throw new InvalidTaskGroupPropertyException(
                    "taskgroup.jmx.cancel-enabled",
                    true,
                    "the cancel operation belongs to the MBean, which is not registered",
                    "Set taskgroup.jmx.enabled=true (or spring.jmx.enabled=true), or remove"
                            + " taskgroup.jmx.cancel-enabled.");
        }
        return cancel;
    }

    static TaskGroupOptions defaults(TaskGroupProperties properties) {
        TaskGroupOptions.Builder options = TaskGroupOptions.builder()
                .timeout(Validation.positive("taskgroup.default-timeout", properties.getDefaultTimeout()))
                .policy(properties.getPolicy());
        Integer maxConcurrency = Validation.maxConcurrency("taskgroup.max-concurrency", properties.getMaxConcurrency());
        if (maxConcurrency != null) {
            options.maxConcurrency(maxConcurrency);
        }
        Integer maxQueued = Validation.maxQueued("taskgroup.max-queued", properties.getMaxQueued());
        if (maxQueued != null) {
            options.maxQueued(maxQueued);
        }
        options.limit(Validation.limitName("taskgroup.limit", properties.getLimit(), properties.getLimits()));
        return options.build();
    }

    static TaskGroupOptions groupOptions(
            String name, TaskGroupProperties.Group group, ListableBeanFactory beanFactory) {
        return Validation.groupOptions(name, group, beanFactory);
    }
}
