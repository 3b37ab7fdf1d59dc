package io.github.taskgroup.autoconfigure;

import io.github.taskgroup.TaskGroupExecutors;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.autoconfigure.TaskGroupProperties.Executor.Mode;
import io.github.taskgroup.autoconfigure.TaskGroupProperties.Platform;
import java.util.concurrent.Executor;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.task.SimpleAsyncTaskExecutorBuilder;
import org.springframework.boot.task.ThreadPoolTaskExecutorBuilder;
import org.springframework.boot.thread.Threading;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.util.StringUtils;

/**
 * The executor of the factory, chosen with {@code taskgroup.executor.mode}. It builds fresh executors with
 * Spring Boot's builders rather than the application's builder beans: those carry the
 * {@code spring.task.execution.*} settings and task decorator of {@code applicationTaskExecutor}, which are
 * not ours to reuse (decorators are applied by the factory's context propagators instead).
 */
@Configuration(proxyBeanMethods = false)
class TaskGroupExecutorConfiguration {

    private static final String MODE = "taskgroup.executor.mode";

    private static final String BEAN_NAME = "taskgroup.executor.bean-name";

    private static final String PLATFORM = "taskgroup.executor.platform.";

    @Bean
    @ConditionalOnMissingBean({TaskGroupExecutor.class, TaskGroupFactory.class}) // an own factory has its own
    TaskGroupExecutor taskGroupExecutor(
            TaskGroupProperties properties, Environment environment, ListableBeanFactory beanFactory) {
        TaskGroupProperties.Executor executor = properties.getExecutor();
        Mode mode = (executor.getMode() != null) ? executor.getMode() : defaultMode(environment);
        return switch (mode) {
            case VIRTUAL -> virtual(executor);
            case PLATFORM -> platform(executor);
            case BEAN -> bean(executor, beanFactory);
        };
    }

    private static Mode defaultMode(Environment environment) {
        // Threading.VIRTUAL is active for spring.threads.virtual.enabled=true on JDK 21+ only.
        return Threading.VIRTUAL.isActive(environment) ? Mode.VIRTUAL : Mode.PLATFORM;
    }

    private static TaskGroupExecutor virtual(TaskGroupProperties.Executor properties) {
        if (!TaskGroupExecutors.virtualThreadsAvailable()) {
            throw new InvalidTaskGroupPropertyException(
                    MODE,
                    "virtual",
                    "virtual threads need JDK 21 or later, but this JVM is Java "
                            + Runtime.version().feature(),
                    "Run the application on JDK 21 or later, or set '" + MODE + "' to 'platform'.");
        }
        SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutorBuilder()
                .virtualThreads(true)
                .threadNamePrefix(properties.getThreadNamePrefix())
                .build();
        return TaskGroupExecutor.owned(executor, "virtual threads");
    }

    private static TaskGroupExecutor platform(TaskGroupProperties.Executor properties) {
        Platform pool = properties.getPlatform();
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
                .threadNamePrefix(properties.getThreadNamePrefix())
                .build();
        // Not a bean, so initialized here and shut down by TaskGroupExecutor#destroy, after the groups drained.
        executor.initialize();
        return TaskGroupExecutor.owned(
                executor,
                "platform thread pool (" + pool.getCoreSize() + ".." + pool.getMaxSize() + " threads, queue "
                        + pool.getQueueCapacity() + ")");
    }

    private static TaskGroupExecutor bean(TaskGroupProperties.Executor properties, ListableBeanFactory beanFactory) {
        String name = properties.getBeanName();
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
