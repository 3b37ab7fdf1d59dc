package io.github.taskgroup.autoconfigure.observation;

import io.github.taskgroup.micrometer.TaskGroupObservationConvention;
import io.github.taskgroup.micrometer.TaskGroupObservationListener;
import io.github.taskgroup.micrometer.TaskObservationConvention;

import io.github.taskgroup.TaskGroupFactory;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of task group observations: when the application has an {@link ObservationRegistry}, a
 * {@link TaskGroupObservationListener} observes every group ({@code taskgroup.group}) and task
 * ({@code taskgroup.task}). A {@link TaskGroupObservationConvention} or {@link TaskObservationConvention} bean
 * replaces the default naming. Switch it off with {@code taskgroup.observation.enabled=false}.
 */
@AutoConfiguration(afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass({ TaskGroupFactory.class, ObservationRegistry.class })
@ConditionalOnBean(ObservationRegistry.class)
@ConditionalOnBooleanProperty(name = "taskgroup.observation.enabled", matchIfMissing = true)
@EnableConfigurationProperties(TaskGroupObservationProperties.class)
public final class TaskGroupObservationAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TaskGroupObservationListener taskGroupObservationListener(ObservationRegistry observationRegistry,
            ObjectProvider<TaskGroupObservationConvention> groupConvention,
            ObjectProvider<TaskObservationConvention> taskConvention) {
        return new TaskGroupObservationListener(observationRegistry, groupConvention.getIfUnique(),
                taskConvention.getIfUnique());
    }
}
