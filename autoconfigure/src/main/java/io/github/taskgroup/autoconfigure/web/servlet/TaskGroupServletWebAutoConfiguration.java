package io.github.taskgroup.autoconfigure.web.servlet;

import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.autoconfigure.TaskGroupAutoConfiguration;
import io.github.taskgroup.autoconfigure.TaskGroupProperties;
import io.github.taskgroup.autoconfigure.web.RequestTaskGroupRegistry;
import io.github.taskgroup.autoconfigure.web.RequestTaskGroupConfiguration;
import io.github.taskgroup.autoconfigure.web.RequestTaskGroups;
import io.github.taskgroup.autoconfigure.web.TaskGroupWebProperties;
import io.github.taskgroup.autoconfigure.web.TaskGroupWebSupport;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.util.ClassUtils;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Request-scoped task groups for Spring MVC on a servlet container (Tomcat, Jetty): the {@code TaskGroup}
 * handler parameter, {@link RequestTaskGroups}, the abort signals (async timeout and error, Jetty failure
 * listener, disconnect probe, shutdown) and completion. Switch off with {@code taskgroup.web.enabled=false}.
 */
@AutoConfiguration(after = TaskGroupAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ DispatcherServlet.class, WebMvcConfigurer.class, HttpServletRequest.class,
        TaskGroupFactory.class })
@ConditionalOnBean(TaskGroupFactory.class)
@ConditionalOnBooleanProperty(name = "taskgroup.web.enabled", matchIfMissing = true)
@EnableConfigurationProperties({ TaskGroupWebProperties.class, TaskGroupProperties.class })
@Import(RequestTaskGroupConfiguration.class)
public final class TaskGroupServletWebAutoConfiguration {

    private static final Log logger = LogFactory.getLog(TaskGroupServletWebAutoConfiguration.class);

    private static final boolean TOMCAT_PRESENT = ClassUtils.isPresent(
            "org.apache.catalina.connector.RequestFacade", TaskGroupServletWebAutoConfiguration.class.getClassLoader());

    private static final boolean JETTY_PRESENT = ClassUtils.isPresent(
            "org.eclipse.jetty.ee11.servlet.ServletContextRequest",
            TaskGroupServletWebAutoConfiguration.class.getClassLoader());

    @Bean
    @ConditionalOnMissingBean
    DisconnectProbeScheduler taskGroupDisconnectProbeScheduler(TaskGroupWebProperties properties) {
        return new DisconnectProbeScheduler(probe(properties.getDetection().getStrategy()),
                TaskGroupWebSupport.detectionInterval(properties));
    }

    static DisconnectProbe probe(TaskGroupWebProperties.Strategy strategy) {
        boolean tomcat = TOMCAT_PRESENT && Tomcat.available();
        boolean proc = ProcNetTcpDisconnectProbe.isAvailable();
        switch (strategy) {
            case NONE:
                return DisconnectProbe.NONE;
            case TOMCAT:
                if (tomcat) {
                    return Tomcat.probe();
                }
                logger.warn("taskgroup.web.detection.strategy=tomcat but Tomcat's connection check is not "
                        + "available here: client disconnects will not be detected");
                return DisconnectProbe.NONE;
            case PROC:
                if (proc) {
                    return new ProcNetTcpDisconnectProbe(TaskGroupServletWebAutoConfiguration::channel);
                }
                logger.warn("taskgroup.web.detection.strategy=proc but /proc/net/tcp cannot be read here: "
                        + "client disconnects will not be detected");
                return DisconnectProbe.NONE;
            default:
                List<DisconnectProbe> probes = new ArrayList<>(2);
                if (tomcat) {
                    probes.add(Tomcat.probe());
                }
                if (proc) {
                    probes.add(new ProcNetTcpDisconnectProbe(TaskGroupServletWebAutoConfiguration::channel));
                }
                return probes.isEmpty() ? DisconnectProbe.NONE : new FirstMatchDisconnectProbe(probes);
        }
    }

    /** The container's channel of a request's connection (Tomcat or Jetty NIO), for the probe to wait on. */
    private static SocketChannel channel(HttpServletRequest request) {
        SocketChannel channel = null;
        if (TOMCAT_PRESENT && Tomcat.available()) {
            channel = Tomcat.channel(request);
        }
        if (channel == null && JETTY_PRESENT) {
            channel = JettyRequests.channel(request);
        }
        return channel;
    }

    @Bean
    @ConditionalOnMissingBean(RequestTaskGroups.class)
    ServletRequestTaskGroups requestTaskGroups(TaskGroupFactory taskGroupFactory, RequestTaskGroupRegistry registry,
            DisconnectProbeScheduler scheduler, TaskGroupWebProperties properties) {
        return new ServletRequestTaskGroups(taskGroupFactory, registry, scheduler, properties.getGroupName(),
                JETTY_PRESENT ? new JettyFailureListener() : null);
    }

    @Bean
    TaskGroupWebMvcConfigurer taskGroupWebMvcConfigurer(ServletRequestTaskGroups requestTaskGroups) {
        return new TaskGroupWebMvcConfigurer(requestTaskGroups);
    }

    @Bean
    RequestTaskGroupAsyncFilter requestTaskGroupAsyncFilter() {
        return new RequestTaskGroupAsyncFilter();
    }

    /** Keeps Tomcat's classes out of the configuration's own signatures. */
    private static final class Tomcat {

        static boolean available() {
            return TomcatDisconnectProbe.isAvailable();
        }

        static DisconnectProbe probe() {
            return new TomcatDisconnectProbe();
        }

        static SocketChannel channel(HttpServletRequest request) {
            return TomcatDisconnectProbe.channel(request);
        }
    }
}
