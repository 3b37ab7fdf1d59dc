package io.github.taskgroup.autoconfigure;

import io.github.taskgroup.TaskGroupExecutors;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.autoconfigure.TaskGroupProperties.Platform;
import java.util.concurrent.Executor;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.task.ThreadPoolTaskExecutorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.util.StringUtils;

/**
 * The executor of the factory, one configuration per {@code taskgroup.executor.mode}, each guarded by an
 * {@link OnExecutorModeCondition}, so that the conditions report says which one was chosen and why. Unset (or
 * empty), the mode follows {@code spring.threads.virtual.enabled}
 * (which Spring Boot honours on JDK 21+ only). The executors are built here rather than with the
 * application's builder beans: those carry the {@code spring.task.execution.*} settings and task decorator of
 * {@code applicationTaskExecutor}, which are not ours to reuse (decorators are applied by the factory's
 * context propagators instead).
 */
final class TaskGroupExecutorConfigurations {

    private static final String MODE = OnExecutorModeCondition.MODE;

    private static final String BEAN_NAME = "taskgroup.executor.bean-name";

    private static final String PLATFORM = "taskgroup.executor.platform.";

    private TaskGroupExecutorConfigurations() {}

    @Configuration(proxyBeanMethods = false)
    @Conditional(OnExecutorModeCondition.Virtual.class)
    static class VirtualThreadsConfiguration {

        @Bean
        @ConditionalOnMissingBean({TaskGroupExecutor.class, TaskGroupFactory.class}) // an own factory has its own
        TaskGroupExecutor taskGroupExecutor(TaskGroupProperties properties) {
            if (!TaskGroupExecutors.virtualThreadsAvailable()) {
                throw new InvalidTaskGroupPropertyException(
                        MODE,
                        "virtual",
                        "virtual threads need JDK 21 or later, but this JVM is Java "
                                + Runtime.version().feature(),
                        "Run the application on JDK 21 or later, or set '" + MODE + "' to 'platform'.");
            }
            // The core's starter, not a SimpleAsyncTaskExecutor: a task's thread is born with the task's name, so
            // no thread is renamed per task, and there is no registry of threads to keep (groups wait for theirs).
            Executor starter = TaskGroupExecutors.virtualThreadStarter(
                    properties.getExecutor().getThreadNamePrefix());
            return TaskGroupExecutor.owned(starter, "virtual threads");
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Conditional(OnExecutorModeCondition.Platform.class)
    static class PlatformThreadsConfiguration {

        @Bean
        @ConditionalOnMissingBean({TaskGroupExecutor.class, TaskGroupFactory.class})
        TaskGroupExecutor taskGroupExecutor(TaskGroupProperties properties) {
            Platform pool = properties.getExecutor().getPlatform();
            Validation.atLeast(PLATFORM + "core-size", pool.getCoreSize(), 0);
            Validation.atLeast(PLATFORM + "max-size", pool.getMaxSize(), Math.max(1, pool.getCoreSize()));
            Validation.atLeast(PLATFORM + "queue-capacity", pool.getQueueCapacity(), 0);
            Validation.notNegative(PLATFORM + "keep-alive", pool.getKeepAlive());
            ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutorBuilder()
                    .corePoolSize(pool.getCoreSize())
                    .maxPoolSize(pool.getMaxSize())
                    .queueCapacity(pool.getQueueCapacity())
                    .keepAlive(pool.getKeepAlive())
                    .allowCoreThreadTimeOut(pool.isAllowCoreThreadTimeout())
                    .threadNamePrefix(properties.getExecutor().getThreadNamePrefix())
                    .build();
            // Not a bean, so initialized here and shut down by TaskGroupExecutor#destroy, after the groups drained.
            executor.initialize();
            return TaskGroupExecutor.owned(
                    executor,
                    "platform thread pool (" + pool.getCoreSize() + ".." + pool.getMaxSize() + " threads, queue "
                            + pool.getQueueCapacity() + ")");
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Conditional(OnExecutorModeCondition.Bean.class)
    static class ExecutorBeanConfiguration {

        @Bean
        @ConditionalOnMissingBean({TaskGroupExecutor.class, TaskGroupFactory.class})
        TaskGroupExecutor taskGroupExecutor(TaskGroupProperties properties, ListableBeanFactory beanFactory) {
            String name = properties.getExecutor().getBeanName();
            if (!StringUtils.hasText(name)) {
                throw new InvalidTaskGroupPropertyException(
                        BEAN_NAME,
                        name,
                        "it is required when '" + MODE + "' is 'bean'",
                        "Set '" + BEAN_NAME + "' to the name of an Executor bean, or set '" + MODE
                                + "' to 'virtual' or 'platform'.");
            }
            Executor executor = Validation.executorBean(beanFactory, BEAN_NAME, name);
            return TaskGroupExecutor.shared(executor, "executor bean '" + name + "'");
        }
    }
}
