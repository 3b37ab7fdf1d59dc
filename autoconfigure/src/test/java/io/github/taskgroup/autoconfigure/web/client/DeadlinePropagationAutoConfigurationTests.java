package io.github.taskgroup.autoconfigure.web.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupOptions;
import io.github.taskgroup.autoconfigure.InvalidTaskGroupPropertyException;
import io.github.taskgroup.autoconfigure.TaskGroupAutoConfiguration;
import io.github.taskgroup.micrometer.TaskGroupMeters;
import io.github.taskgroup.web.client.DeadlinePropagation;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.WebClientCustomizer;

/**
 * Conditions, switches and validation of {@link DeadlinePropagationAutoConfiguration}.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DeadlinePropagationAutoConfigurationTests {

    private static final String REST_CLIENT = "taskGroupDeadlinePropagationRestClientCustomizer";

    private static final String REST_TEMPLATE = "taskGroupDeadlinePropagationRestTemplateCustomizer";

    private static final String WEB_CLIENT = "taskGroupDeadlinePropagationWebClientCustomizer";

    private static final String APACHE_ABORT = "taskGroupAbortOnCancelHttpComponentsCustomizer";

    private static final String JETTY_ABORT = "taskGroupAbortOnCancelJettyCustomizer";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    TaskGroupAutoConfiguration.class, DeadlinePropagationAutoConfiguration.class));

    @Test
    void every_client_builder_of_spring_boot_gets_the_default_header() {
        this.runner.run((context) -> {
            assertThat(context).hasSingleBean(DeadlinePropagation.class);
            assertThat(context.getBean(DeadlinePropagation.class).headerName()).isEqualTo("X-Request-Timeout-Ms");
            assertThat(context).hasBean(REST_CLIENT).hasBean(REST_TEMPLATE).hasBean(WEB_CLIENT);
            assertThat(context.getBean(REST_CLIENT)).isInstanceOf(RestClientCustomizer.class);
            assertThat(context.getBean(REST_TEMPLATE)).isInstanceOf(RestTemplateCustomizer.class);
            assertThat(context.getBean(WEB_CLIENT)).isInstanceOf(WebClientCustomizer.class);
        });
    }

    @Test
    void an_application_without_spring_boots_rest_client_module_starts_without_its_customizers() {
        this.runner
                .withClassLoader(new FilteredClassLoader(RestClientCustomizer.class, RestTemplateCustomizer.class))
                .run((context) -> assertThat(context)
                        .hasNotFailed()
                        .doesNotHaveBean(REST_CLIENT)
                        .doesNotHaveBean(REST_TEMPLATE)
                        .hasBean(WEB_CLIENT));
    }

    @Test
    void an_application_without_spring_boots_web_client_module_starts_without_its_customizer() {
        this.runner
                .withClassLoader(new FilteredClassLoader(WebClientCustomizer.class))
                .run((context) -> assertThat(context)
                        .hasNotFailed()
                        .doesNotHaveBean(WEB_CLIENT)
                        .hasBean(REST_CLIENT)
                        .hasBean(REST_TEMPLATE));
    }

    @Test
    void an_application_without_webflux_starts_without_the_web_client_customizer() {
        this.runner
                .withClassLoader(new FilteredClassLoader("org.springframework.web.reactive"))
                .run((context) -> assertThat(context)
                        .hasNotFailed()
                        .doesNotHaveBean(WEB_CLIENT)
                        .hasBean(REST_CLIENT));
    }

    @Test
    void an_application_without_taskgroup_spring_web_gets_nothing() {
        this.runner
                .withClassLoader(new FilteredClassLoader(DeadlinePropagation.class))
                .run((context) -> assertThat(context)
                        .hasNotFailed()
                        .doesNotHaveBean(REST_CLIENT)
                        .doesNotHaveBean(WEB_CLIENT)
                        .hasSingleBean(TaskGroupFactory.class));
    }

    @Test
    void propagation_can_be_switched_off() {
        this.runner
                .withPropertyValues("taskgroup.propagation.enabled=false")
                .run((context) -> assertThat(context)
                        .hasNotFailed()
                        .doesNotHaveBean(DeadlinePropagation.class)
                        .doesNotHaveBean(REST_CLIENT)
                        .doesNotHaveBean(REST_TEMPLATE)
                        .doesNotHaveBean(WEB_CLIENT));
    }

    @Test
    void the_header_name_can_be_configured() {
        this.runner
                .withPropertyValues("taskgroup.propagation.header-name=X-Deadline-Ms")
                .run((context) -> assertThat(
                                context.getBean(DeadlinePropagation.class).headerName())
                        .isEqualTo("X-Deadline-Ms"));
    }

    @Test
    void a_header_name_that_is_not_an_http_token_stops_start_up_with_a_clear_message() {
        this.runner
                .withPropertyValues("taskgroup.propagation.header-name=Request Timeout:")
                .run((context) -> {
                    assertThat(context).hasFailed();
                    Throwable cause = context.getStartupFailure();
                    while (cause != null && !(cause instanceof InvalidTaskGroupPropertyException)) {
                        cause = cause.getCause();
                    }
                    assertThat(cause)
                            .isInstanceOf(InvalidTaskGroupPropertyException.class)
                            .hasMessage("Invalid value 'Request Timeout:' for property "
                                    + "'taskgroup.propagation.header-name': it is not a legal HTTP header name "
                                    + "(letters, digits and !#$%&'*+-.^_`|~ only, no spaces or colons)");
                    assertThat(((InvalidTaskGroupPropertyException) cause).getAction())
                            .contains("X-Request-Timeout-Ms");
                });
    }

    @Test
    void with_a_meter_registry_calls_are_counted_by_outcome() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        this.runner.withBean(MeterRegistry.class, () -> registry).run((context) -> {
            assertThat(context).hasSingleBean(DeadlinePropagation.Listener.class);
            assertThat(registry.get(TaskGroupMeters.PROPAGATION_CALLS)
                            .tag(TaskGroupMeters.OUTCOME, "expired")
                            .counter()
                            .count())
                    .isZero();
            DeadlinePropagation propagation = context.getBean(DeadlinePropagation.class);
            TaskGroupFactory factory = context.getBean(TaskGroupFactory.class);
            try (TaskGroup group = factory.open(
                    "calls",
                    TaskGroupOptions.builder().timeout(Duration.ofHours(1)).build())) {
                assertThat(propagation.headerValue()).isPresent();
                group.join();
            }
            assertThat(registry.get(TaskGroupMeters.PROPAGATION_CALLS)
                            .tag(TaskGroupMeters.OUTCOME, "propagated")
                            .counter()
                            .count())
                    .isEqualTo(1);
        });
    }

    @Test
    void without_a_meter_registry_or_with_metrics_off_nothing_is_counted() {
        this.runner.run((context) -> assertThat(context).doesNotHaveBean(DeadlinePropagation.Listener.class));
        this.runner
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withPropertyValues("taskgroup.metrics.enabled=false")
                .run((context) -> assertThat(context).doesNotHaveBean(DeadlinePropagation.Listener.class));
    }

    @Test
    void the_apache_and_jetty_request_factory_builders_get_the_abort_on_cancel_customizers() {
        this.runner.run((context) -> assertThat(context).hasBean(APACHE_ABORT).hasBean(JETTY_ABORT));
    }

    @Test
    void abort_on_cancel_false_removes_the_abort_customizers_and_keeps_the_header() {
        this.runner
                .withPropertyValues("taskgroup.propagation.abort-on-cancel=false")
                .run((context) -> assertThat(context)
                        .doesNotHaveBean(APACHE_ABORT)
                        .doesNotHaveBean(JETTY_ABORT)
                        .hasBean(REST_CLIENT));
    }

    @Test
    void an_application_without_the_jetty_client_starts_with_the_apache_customizer_only() {
        this.runner
                .withClassLoader(new FilteredClassLoader(org.eclipse.jetty.client.HttpClient.class))
                .run((context) ->
                        assertThat(context).hasNotFailed().hasBean(APACHE_ABORT).doesNotHaveBean(JETTY_ABORT));
    }

    @Test
    void an_application_without_apache_http_client_starts_with_the_jetty_customizer_only() {
        this.runner
                .withClassLoader(new FilteredClassLoader("org.apache.hc.client5"))
                .run((context) -> assertThat(context)
                        .hasNotFailed()
                        .doesNotHaveBean(APACHE_ABORT)
                        .hasBean(JETTY_ABORT));
    }
}
