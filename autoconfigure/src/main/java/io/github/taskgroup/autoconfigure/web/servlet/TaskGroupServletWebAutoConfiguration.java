package io.github.taskgroup.autoconfigure.web.servlet;

import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.autoconfigure.TaskGroupAutoConfiguration;
import io.github.taskgroup.autoconfigure.TaskGroupProperties;
import io.github.taskgroup.autoconfigure.Validation;
import io.github.taskgroup.autoconfigure.web.RequestTaskGroupConfiguration;
import io.github.taskgroup.autoconfigure.web.TaskGroupWebProperties;
import io.github.taskgroup.web.IncomingDeadline;
import io.github.taskgroup.web.RequestTaskGroupRegistry;
import io.github.taskgroup.web.RequestTaskGroupSettingsResolver;
import io.github.taskgroup.web.RequestTaskGroups;
import io.github.taskgroup.web.servlet.DisconnectProbe;
import io.github.taskgroup.web.servlet.DisconnectProbeScheduler;
import io.github.taskgroup.web.servlet.DisconnectProbes;
import io.github.taskgroup.web.servlet.RequestTaskGroupAsyncFilter;
import io.github.taskgroup.web.servlet.ServletRequestTaskGroups;
import io.github.taskgroup.web.servlet.TaskGroupHandlerExceptionResolver;
import io.github.taskgroup.web.servlet.TaskGroupWebMvcConfigurer;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
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
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Request-scoped task groups for Spring MVC on a servlet container (Tomcat, Jetty): the {@code TaskGroup}
 * handler parameter, {@link RequestTaskGroups}, the abort signals (async timeout and error, Jetty failure
 * listener, disconnect probe, shutdown) and completion. Switch off with {@code taskgroup.web.enabled=false}.
 */
@AutoConfiguration(after = TaskGroupAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({DispatcherServlet.class, WebMvcConfigurer.class, HttpServletRequest.class, TaskGroupFactory.class})
@ConditionalOnBean(TaskGroupFactory.class)
@ConditionalOnBooleanProperty(name = "taskgroup.web.enabled", matchIfMissing = true)
@EnableConfigurationProperties({TaskGroupWebProperties.class, TaskGroupProperties.class})
@Import(RequestTaskGroupConfiguration.class)
public final class TaskGroupServletWebAutoConfiguration {

    private static final Log logger = LogFactory.getLog(TaskGroupServletWebAutoConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    DisconnectProbeScheduler taskGroupDisconnectProbeScheduler(TaskGroupWebProperties properties) {
        return new DisconnectProbeScheduler(
                probe(properties.getDetection().getStrategy()),
                Validation.required(
                        "taskgroup.web.detection.interval",
                        properties.getDetection().getInterval(),
                        "Set 'taskgroup.web.detection.interval' to a positive duration such as 50ms, or set "
                                + "'taskgroup.web.detection.strategy' to 'none'."));
    }

    static DisconnectProbe probe(TaskGroupWebProperties.Strategy strategy) {
        switch (strategy) {
            case NONE:
                return DisconnectProbe.NONE;
            case TOMCAT:
                return orNone(
                        DisconnectProbes.tomcat(),
                        "taskgroup.web.detection.strategy=tomcat but Tomcat's "
                                + "connection check is not available here: client disconnects will not be detected");
            case PROC:
                return orNone(
                        DisconnectProbes.proc(),
                        "taskgroup.web.detection.strategy=proc but /proc/net/tcp "
                                + "cannot be read here: client disconnects will not be detected");
            default:
                return DisconnectProbes.auto();
        }
    }

    private static DisconnectProbe orNone(@Nullable DisconnectProbe probe, String warning) {
        if (probe == null) {
            logger.warn(warning);
            return DisconnectProbe.NONE;
        }
        return probe;
    }

    @Bean
    @ConditionalOnMissingBean(RequestTaskGroups.class)
    ServletRequestTaskGroups requestTaskGroups(
            TaskGroupFactory taskGroupFactory,
            RequestTaskGroupRegistry registry,
            DisconnectProbeScheduler scheduler,
            TaskGroupWebProperties properties,
            RequestTaskGroupSettingsResolver settings,
            ObjectProvider<IncomingDeadline> incoming) {
        return new ServletRequestTaskGroups(
                taskGroupFactory, registry, scheduler, properties.getGroupName(), settings, incoming.getIfUnique());
    }

    @Bean
    @ConditionalOnMissingBean
    TaskGroupHandlerExceptionResolver taskGroupHandlerExceptionResolver(TaskGroupWebProperties properties) {
        return new TaskGroupHandlerExceptionResolver(
                Validation.notNegative("taskgroup.web.retry-after", properties.getRetryAfter()));
    }

    @Bean
    TaskGroupWebMvcConfigurer taskGroupWebMvcConfigurer(
            ServletRequestTaskGroups requestTaskGroups, TaskGroupHandlerExceptionResolver exceptionResolver) {
        return new TaskGroupWebMvcConfigurer(requestTaskGroups, exceptionResolver);
    }

    @Bean
    RequestTaskGroupAsyncFilter requestTaskGroupAsyncFilter() {
        return new RequestTaskGroupAsyncFilter();
    }
}
