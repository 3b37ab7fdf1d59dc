package io.github.taskgroup.autoconfigure.web.reactive;

import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.autoconfigure.TaskGroupAutoConfiguration;
import io.github.taskgroup.autoconfigure.TaskGroupProperties;
import io.github.taskgroup.autoconfigure.Validation;
import io.github.taskgroup.autoconfigure.web.RequestTaskGroupConfiguration;
import io.github.taskgroup.autoconfigure.web.TaskGroupWebProperties;
import io.github.taskgroup.web.IncomingDeadline;
import io.github.taskgroup.web.RequestTaskGroupRegistry;
import io.github.taskgroup.web.RequestTaskGroupSettingsResolver;
import io.github.taskgroup.web.reactive.ReactiveRequestTaskGroups;
import io.github.taskgroup.web.reactive.RequestTaskGroupWebFilter;
import io.github.taskgroup.web.reactive.TaskGroupArgumentResolver;
import io.github.taskgroup.web.reactive.TaskGroupWebExceptionHandler;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.result.method.annotation.ArgumentResolverConfigurer;

/**
 * Request-scoped task groups for WebFlux: the {@code TaskGroup} handler parameter,
 * {@link ReactiveRequestTaskGroups}, abort on subscription cancellation (client gone), close on termination,
 * and abort at shutdown. Switch off with {@code taskgroup.web.enabled=false}.
 */
@AutoConfiguration(after = TaskGroupAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass({WebFluxConfigurer.class, TaskGroupFactory.class})
@ConditionalOnBean(TaskGroupFactory.class)
@ConditionalOnBooleanProperty(name = "taskgroup.web.enabled", matchIfMissing = true)
@EnableConfigurationProperties({TaskGroupWebProperties.class, TaskGroupProperties.class})
@Import(RequestTaskGroupConfiguration.class)
public final class TaskGroupReactiveWebAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ReactiveRequestTaskGroups reactiveRequestTaskGroups(
            TaskGroupFactory taskGroupFactory,
            RequestTaskGroupRegistry registry,
            TaskGroupWebProperties properties,
            RequestTaskGroupSettingsResolver settings,
            ObjectProvider<IncomingDeadline> incoming) {
        return new ReactiveRequestTaskGroups(
                taskGroupFactory, registry, properties.getGroupName(), settings, incoming.getIfUnique());
    }

    @Bean
    @ConditionalOnMissingBean
    TaskGroupWebExceptionHandler taskGroupWebExceptionHandler(
            ServerCodecConfigurer codecs, Environment environment, TaskGroupWebProperties properties) {
        return new TaskGroupWebExceptionHandler(
                codecs.getWriters(),
                environment.getProperty("spring.webflux.problemdetails.enabled", Boolean.class, false),
                Validation.notNegative("taskgroup.web.retry-after", properties.getRetryAfter()));
    }

    @Bean
    RequestTaskGroupWebFilter requestTaskGroupWebFilter() {
        return new RequestTaskGroupWebFilter();
    }

    @Bean
    WebFluxConfigurer taskGroupWebFluxConfigurer(ReactiveRequestTaskGroups groups) {
        return new WebFluxConfigurer() {
            @Override
            public void configureArgumentResolvers(ArgumentResolverConfigurer configurer) {
                configurer.addCustomResolver(new TaskGroupArgumentResolver(groups));
            }
        };
    }
}
