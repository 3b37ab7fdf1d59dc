package io.github.taskgroup.autoconfigure.web;

import io.github.taskgroup.autoconfigure.TaskGroupProperties;
import io.github.taskgroup.autoconfigure.Validation;
import io.github.taskgroup.autoconfigure.web.client.TaskGroupPropagationProperties;
import io.github.taskgroup.micrometer.TaskGroupMeters;
import io.github.taskgroup.web.IncomingDeadline;
import io.github.taskgroup.web.RequestDisconnectListener;
import io.github.taskgroup.web.RequestTaskGroupRegistry;
import io.github.taskgroup.web.RequestTaskGroupSettings;
import io.github.taskgroup.web.RequestTaskGroupSettingsResolver;
import io.github.taskgroup.web.RequestTaskGroupShutdownLifecycle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What request-scoped groups need on every web stack, imported by the servlet and the reactive
 * auto-configurations: the registry of live request groups, the lifecycle that aborts them at shutdown, and
 * the resolver of each route's settings ({@code taskgroup.groups.[<route>].*} over the handler's
 * {@code @RequestTaskGroupOptions}), which checks every handler's annotation at start-up.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(TaskGroupPropagationProperties.class)
public class RequestTaskGroupConfiguration {

    /**
     * Adoption of the deadline a request's caller sent ({@code taskgroup.propagation.incoming.*}), when both
     * {@code taskgroup.propagation.enabled} and {@code taskgroup.propagation.incoming.enabled} are not
     * {@code false}.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = "taskgroup.propagation.enabled", matchIfMissing = true)
    static class IncomingDeadlineConfiguration {

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnBooleanProperty(name = "taskgroup.propagation.incoming.enabled", matchIfMissing = true)
        IncomingDeadline taskGroupIncomingDeadline(
                TaskGroupPropagationProperties propagation,
                ObjectProvider<TaskGroupProperties> properties,
                ObjectProvider<IncomingDeadline.Listener> listeners) {
            TaskGroupPropagationProperties.Incoming incoming = propagation.getIncoming();
            TaskGroupProperties factory = properties.getIfAvailable();
            IncomingDeadline.Builder builder = IncomingDeadline.builder()
                    .headerName(propagation.checkedHeaderName())
                    .extraHeaderNames(incoming.checkedExtraHeaderNames())
                    .margin(incoming.checkedMargin())
                    .defaultTimeout(
                            (factory != null)
                                    ? Validation.positive("taskgroup.default-timeout", factory.getDefaultTimeout())
                                    : null);
            listeners.ifUnique(builder::listener);
            return builder.build();
        }
    }

    /** Counts what becomes of received deadlines, with a {@code MeterRegistry}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({MeterRegistry.class, TaskGroupMeters.class})
    @ConditionalOnBooleanProperty(name = "taskgroup.metrics.enabled", matchIfMissing = true)
    static class IncomingDeadlineMetrics {

        @Bean
        @ConditionalOnMissingBean
        IncomingDeadline.Listener taskGroupIncomingDeadlineCounter(ObjectProvider<MeterRegistry> registries) {
            MeterRegistry registry = registries.getIfUnique();
            if (registry == null) {
                return IncomingDeadline.Listener.NONE;
            }
            Map<IncomingDeadline.Outcome, Counter> counters = new EnumMap<>(IncomingDeadline.Outcome.class);
            for (IncomingDeadline.Outcome outcome : IncomingDeadline.Outcome.values()) {
                counters.put(
                        outcome,
                        Counter.builder(TaskGroupMeters.PROPAGATION_RECEIVED)
                                .description("Deadlines received with requests (a header): adopted by the request"
                                        + " group, already passed, later than the configured timeout, or malformed")
                                .tag(TaskGroupMeters.OUTCOME, outcome.value())
                                .register(registry));
            }
            return (outcome) -> counters.get(outcome).increment();
        }
    }

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
