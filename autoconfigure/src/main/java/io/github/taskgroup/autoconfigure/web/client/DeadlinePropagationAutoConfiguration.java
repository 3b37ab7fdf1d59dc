package io.github.taskgroup.autoconfigure.web.client;

import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.micrometer.TaskGroupMeters;
import io.github.taskgroup.web.client.DeadlinePropagation;
import io.github.taskgroup.web.client.DeadlinePropagationFilter;
import io.github.taskgroup.web.client.DeadlinePropagationInterceptor;
import io.github.taskgroup.web.client.HttpComponentsAbortOnCancel;
import io.github.taskgroup.web.client.JettyAbortOnCancel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.http.client.HttpComponentsClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.JettyClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Auto-configuration of deadline propagation: a {@link DeadlinePropagation} bean, and the customizers that add
 * its {@link DeadlinePropagationInterceptor} to every {@code RestClient} and {@code RestTemplate}, and its
 * {@link DeadlinePropagationFilter} to every {@code WebClient}, built from Spring Boot's builders. Each
 * customizer is there only when its client and Spring Boot module are ({@code spring-boot-restclient},
 * {@code spring-boot-webclient}). With a {@link MeterRegistry} (and {@code taskgroup.metrics.enabled} not
 * {@code false}), the outcomes are counted as {@value TaskGroupMeters#PROPAGATION_CALLS}. Switch it off with
 * {@code taskgroup.propagation.enabled=false}.
 *
 * <p>Cancellation travels too: the request factories that Spring Boot's {@code ClientHttpRequestFactoryBuilder}
 * builds for Apache HttpClient 5 and the Jetty client abort a call when the task that makes it is cancelled
 * ({@link HttpComponentsAbortOnCancel}, {@link JettyAbortOnCancel}); the JDK client and Reactor Netty do it by
 * themselves. Switch it off with {@code taskgroup.propagation.abort-on-cancel=false}.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
        })
@ConditionalOnClass({TaskGroup.class, DeadlinePropagation.class})
@ConditionalOnBooleanProperty(name = "taskgroup.propagation.enabled", matchIfMissing = true)
@EnableConfigurationProperties(TaskGroupPropagationProperties.class)
public final class DeadlinePropagationAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    DeadlinePropagation taskGroupDeadlinePropagation(
            TaskGroupPropagationProperties properties, ObjectProvider<DeadlinePropagation.Listener> listeners) {
        DeadlinePropagation.Builder builder = DeadlinePropagation.builder().headerName(properties.checkedHeaderName());
        listeners.ifUnique(builder::listener);
        return builder.build();
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({RestClient.class, RestClientCustomizer.class})
    static class RestClientPropagation {

        @Bean
        RestClientCustomizer taskGroupDeadlinePropagationRestClientCustomizer(DeadlinePropagation propagation) {
            DeadlinePropagationInterceptor interceptor = new DeadlinePropagationInterceptor(propagation);
            return (builder) -> builder.requestInterceptor(interceptor);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({RestTemplate.class, RestTemplateCustomizer.class})
    static class RestTemplatePropagation {

        @Bean
        RestTemplateCustomizer taskGroupDeadlinePropagationRestTemplateCustomizer(DeadlinePropagation propagation) {
            DeadlinePropagationInterceptor interceptor = new DeadlinePropagationInterceptor(propagation);
            return (restTemplate) -> restTemplate.getInterceptors().add(interceptor);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({WebClient.class, WebClientCustomizer.class})
    static class WebClientPropagation {

        @Bean
        WebClientCustomizer taskGroupDeadlinePropagationWebClientCustomizer(DeadlinePropagation propagation) {
            DeadlinePropagationFilter filter = new DeadlinePropagationFilter(propagation);
            return (builder) -> builder.filter(filter);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({
        HttpComponentsClientHttpRequestFactoryBuilder.class,
        ClientHttpRequestFactoryBuilderCustomizer.class,
        HttpComponentsAbortOnCancel.class,
        org.apache.hc.client5.http.impl.classic.HttpClientBuilder.class
    })
    @ConditionalOnBooleanProperty(name = "taskgroup.propagation.abort-on-cancel", matchIfMissing = true)
    static class HttpComponentsAborting {

        @Bean
        ClientHttpRequestFactoryBuilderCustomizer<HttpComponentsClientHttpRequestFactoryBuilder>
                taskGroupAbortOnCancelHttpComponentsCustomizer() {
            return (builder) -> builder.withHttpClientCustomizer(HttpComponentsAbortOnCancel::register);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({
        JettyClientHttpRequestFactoryBuilder.class,
        ClientHttpRequestFactoryBuilderCustomizer.class,
        JettyAbortOnCancel.class,
        org.eclipse.jetty.client.HttpClient.class
    })
    @ConditionalOnBooleanProperty(name = "taskgroup.propagation.abort-on-cancel", matchIfMissing = true)
    static class JettyAborting {

        @Bean
        ClientHttpRequestFactoryBuilderCustomizer<JettyClientHttpRequestFactoryBuilder>
                taskGroupAbortOnCancelJettyCustomizer() {
            return (builder) -> builder.withHttpClientCustomizer(JettyAbortOnCancel::register);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({MeterRegistry.class, TaskGroupMeters.class})
    @ConditionalOnBean(MeterRegistry.class)
    @ConditionalOnBooleanProperty(name = "taskgroup.metrics.enabled", matchIfMissing = true)
    static class PropagationMetrics {

        @Bean
        @ConditionalOnMissingBean
        DeadlinePropagation.Listener taskGroupDeadlinePropagationCounter(MeterRegistry registry) {
            Counter propagated = counter(registry, DeadlinePropagation.Outcome.PROPAGATED);
            Counter expired = counter(registry, DeadlinePropagation.Outcome.EXPIRED);
            return (outcome) -> (outcome == DeadlinePropagation.Outcome.EXPIRED ? expired : propagated).increment();
        }

        private static Counter counter(MeterRegistry registry, DeadlinePropagation.Outcome outcome) {
            return Counter.builder(TaskGroupMeters.PROPAGATION_CALLS)
                    .description("Outgoing HTTP calls from a task group with a deadline: sent with the time left, "
                            + "or not sent because it had passed")
                    .tag(TaskGroupMeters.OUTCOME, outcome.value())
                    .register(registry);
        }
    }
}
