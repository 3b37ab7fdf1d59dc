package io.github.taskgroup.autoconfigure;

import io.github.taskgroup.TaskGroupFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/**
 * Auto-configuration of a {@link TaskGroupFactory}: its executor ({@code taskgroup.executor.*}), group
 * defaults and named groups ({@code taskgroup.*}), and its graceful shutdown ({@code taskgroup.shutdown.*}).
 * It never defines an {@code Executor} bean, so Spring Boot's {@code applicationTaskExecutor} stays as it is.
 */
@AutoConfiguration
@ConditionalOnClass(TaskGroupFactory.class)
@EnableConfigurationProperties(TaskGroupProperties.class)
// The order matters: each configuration's conditions look at the beans of those before it.
@Import({
    TaskGroupExecutorConfigurations.VirtualThreadsConfiguration.class,
    TaskGroupExecutorConfigurations.PlatformThreadsConfiguration.class,
    TaskGroupExecutorConfigurations.ExecutorBeanConfiguration.class,
    TaskGroupFactoryConfiguration.class,
    TaskGroupShutdownConfiguration.class
})
public final class TaskGroupAutoConfiguration {}
