package io.github.taskgroup.autoconfigure.metrics;

import io.github.taskgroup.micrometer.TaskGroupMetricsListener;

import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.autoconfigure.InvalidTaskGroupPropertyException;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of task group meters: a {@link TaskGroupMetricsListener} on the application's
 * {@link MeterRegistry}, which the auto-configured {@link TaskGroupFactory} picks up like every
 * {@link io.github.taskgroup.TaskGroupListener} bean. Switch it off with {@code taskgroup.metrics.enabled=false}.
 */
@AutoConfiguration(afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnClass({ TaskGroupFactory.class, MeterRegistry.class })
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "taskgroup.metrics.enabled", matchIfMissing = true)
@EnableConfigurationProperties(TaskGroupMetricsProperties.class)
public final class TaskGroupMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TaskGroupMetricsListener taskGroupMetricsListener(MeterRegistry meterRegistry,
            TaskGroupMetricsProperties properties) {
        int maxGroupNames = properties.getMaxGroupNames();
        if (maxGroupNames < 1) {
            throw new InvalidTaskGroupPropertyException("taskgroup.metrics.max-group-names", maxGroupNames,
                    "it must be at least 1", "Set 'taskgroup.metrics.max-group-names' to 1 or more (default 100), "
                            + "or switch task group metrics off with 'taskgroup.metrics.enabled=false'.");
        }
        return new TaskGroupMetricsListener(meterRegistry, maxGroupNames);
    }
}
