package io.github.taskgroup.autoconfigure.web;

import io.github.taskgroup.autoconfigure.TaskGroupProperties;
import io.github.taskgroup.autoconfigure.Validation;
import io.github.taskgroup.web.RequestDisconnectListener;
import io.github.taskgroup.web.RequestTaskGroupRegistry;
import io.github.taskgroup.web.RequestTaskGroupSettings;
import io.github.taskgroup.web.RequestTaskGroupSettingsResolver;
import io.github.taskgroup.web.RequestTaskGroupShutdownLifecycle;
import java.util.HashMap;
import java.util.Map;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What request-scoped groups need on every web stack, imported by the servlet and the reactive
 * auto-configurations: the registry of live request groups, the lifecycle that aborts them at shutdown, and
 * the resolver of each route's settings ({@code taskgroup.groups.[<route>].*} over the handler's
 * {@code @RequestTaskGroupOptions}), which checks every handler's annotation at start-up.
 */
@Configuration(proxyBeanMethods = false)
public class RequestTaskGroupConfiguration {

    @Bean
    @ConditionalOnMissingBean
    RequestTaskGroupRegistry requestTaskGroupRegistry(ObjectProvider<RequestDisconnectListener> disconnectListeners) {
        RequestDisconnectListener[] listeners =
                disconnectListeners.orderedStream().toArray(RequestDisconnectListener[]::new);
        return new RequestTaskGroupRegistry((groupName, cancelled) -> {
            for (RequestDisconnectListener listener : listeners) {
                listener.clientLeft(groupName, cancelled);
            }
        });
    }

    @Bean
    @ConditionalOnMissingBean
    RequestTaskGroupShutdownLifecycle requestTaskGroupShutdownLifecycle(
            RequestTaskGroupRegistry registry, TaskGroupProperties properties) {
        return new RequestTaskGroupShutdownLifecycle(
                registry,
                Validation.notNegative(
                        "taskgroup.shutdown.await-termination-period",
                        properties.getShutdown().getAwaitTerminationPeriod()));
    }

    @Bean
    @ConditionalOnMissingBean
    static RequestTaskGroupSettingsResolver requestTaskGroupSettingsResolver(
            ObjectProvider<TaskGroupProperties> properties, ListableBeanFactory beanFactory) {
        // Static, with lazy lookups: a resolver that is a SmartInitializingSingleton needs nothing early.
        return new RequestTaskGroupSettingsResolver(new NamedSettings(properties, beanFactory)::get);
    }

    /** The settings of {@code taskgroup.groups.<name>.*}, computed once (the options were checked already). */
    private static final class NamedSettings {

        private final ObjectProvider<TaskGroupProperties> properties;

        private final ListableBeanFactory beanFactory;

        private volatile Map<String, RequestTaskGroupSettings> byName;

        NamedSettings(ObjectProvider<TaskGroupProperties> properties, ListableBeanFactory beanFactory) {
            this.properties = properties;
            this.beanFactory = beanFactory;
        }

        RequestTaskGroupSettings get(String name) {
            Map<String, RequestTaskGroupSettings> settings = this.byName;
            if (settings == null) {
                settings = new HashMap<>();
                TaskGroupProperties configured = this.properties.getIfAvailable();
                if (configured != null) {
                    for (Map.Entry<String, TaskGroupProperties.Group> group :
                            configured.getGroups().entrySet()) {
                        settings.put(
                                group.getKey(),
                                new RequestTaskGroupSettings(
                                        Validation.groupOptions(group.getKey(), group.getValue(), this.beanFactory),
                                        group.getValue().getCancelOnDisconnect()));
                    }
                }
                this.byName = settings;
            }
            return settings.getOrDefault(name, RequestTaskGroupSettings.NONE);
        }
    }
}
