package io.github.taskgroup.autoconfigure.metrics;

import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.micrometer.TaskGroupMetrics;
import io.github.taskgroup.micrometer.TaskGroupMetricsListener;
import io.github.taskgroup.web.RequestDisconnectListener;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of task group meters: a {@link TaskGroupMetricsListener} on the application's
 * {@link MeterRegistry}, which the auto-configured {@link TaskGroupFactory} picks up like every
 * {@link io.github.taskgroup.TaskGroupListener} bean. These meters are the one family of durations and active
 * counts: {@link io.github.taskgroup.autoconfigure.observation.TaskGroupObservationAutoConfiguration} keeps the
 * observations from making a second one. Switch it off with {@code taskgroup.metrics.enabled=false}.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
        })
@ConditionalOnClass({TaskGroupFactory.class, MeterRegistry.class})
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "taskgroup.metrics.enabled", matchIfMissing = true)
@EnableConfigurationProperties(TaskGroupMetricsProperties.class)
public final class TaskGroupMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TaskGroupMetricsListener taskGroupMetricsListener(
            MeterRegistry meterRegistry, TaskGroupMetricsProperties properties) {
        return TaskGroupMetrics.listener(meterRegistry, properties.checkedMaxGroupNames());
    }

    /** Counts clients that left requests in {@code taskgroup.requests.disconnected}, with the same bounded tags. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(RequestDisconnectListener.class)
    static class RequestDisconnectMetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean
        RequestDisconnectListener taskGroupRequestDisconnectMetrics(TaskGroupMetricsListener listener) {
            return listener::requestDisconnected;
        }
    }
}
