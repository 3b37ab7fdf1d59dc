package io.github.taskgroup.autoconfigure.observation;

import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.autoconfigure.metrics.TaskGroupMetricsProperties;
import io.github.taskgroup.micrometer.DefaultTaskGroupObservationConvention;
import io.github.taskgroup.micrometer.DefaultTaskObservationConvention;
import io.github.taskgroup.micrometer.TaskGroupObservationConvention;
import io.github.taskgroup.micrometer.TaskGroupObservationListener;
import io.github.taskgroup.micrometer.TaskGroupObservationMeterFilter;
import io.github.taskgroup.micrometer.TaskObservationConvention;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of task group observations: when the application has an {@link ObservationRegistry}, a
 * {@link TaskGroupObservationListener} observes every group ({@code taskgroup.group}) and task
 * ({@code taskgroup.task}). A {@link TaskGroupObservationConvention} or {@link TaskObservationConvention} bean
 * replaces the default naming. Switch it off with {@code taskgroup.observation.enabled=false}.
 *
 * <p>The observations are for spans. When the application also has a {@link MeterRegistry}, a
 * {@link TaskGroupObservationMeterFilter} bean (which Spring Boot applies to every registry it configures) denies
 * the timers and long task timers that Boot's meter observation handler would make from them: the meters of
 * {@link io.github.taskgroup.autoconfigure.metrics.TaskGroupMetricsAutoConfiguration} are the one family of
 * durations and active counts. {@code taskgroup.metrics.max-group-names} bounds the observations' {@code group}
 * key value as it bounds the meters' {@code group} tag.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
        })
@ConditionalOnClass({TaskGroupFactory.class, ObservationRegistry.class, TaskGroupObservationListener.class})
@ConditionalOnBean(ObservationRegistry.class)
@ConditionalOnBooleanProperty(name = "taskgroup.observation.enabled", matchIfMissing = true)
@EnableConfigurationProperties({TaskGroupObservationProperties.class, TaskGroupMetricsProperties.class})
public final class TaskGroupObservationAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TaskGroupObservationListener taskGroupObservationListener(
            ObservationRegistry observationRegistry,
            ObjectProvider<TaskGroupObservationConvention> groupConvention,
            ObjectProvider<TaskObservationConvention> taskConvention,
            TaskGroupMetricsProperties metricsProperties) {
        return new TaskGroupObservationListener(
                observationRegistry,
                groupConvention.getIfUnique(),
                taskConvention.getIfUnique(),
                metricsProperties.checkedMaxGroupNames());
    }

    /** Only with meters: without a registry there is nothing to filter, and micrometer-core may be absent. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    @ConditionalOnBean(MeterRegistry.class)
    static final class ObservationMeterFilterConfiguration {

        @Bean
        @ConditionalOnMissingBean
        TaskGroupObservationMeterFilter taskGroupObservationMeterFilter(
                ObjectProvider<TaskGroupObservationConvention> groupConvention,
                ObjectProvider<TaskObservationConvention> taskConvention) {
            // The names the observations really get, so that conventions that rename them are followed.
            return new TaskGroupObservationMeterFilter(
                    groupConvention
                            .getIfUnique(() -> DefaultTaskGroupObservationConvention.INSTANCE)
                            .getName(),
                    taskConvention
                            .getIfUnique(() -> DefaultTaskObservationConvention.INSTANCE)
                            .getName());
        }
    }
}
