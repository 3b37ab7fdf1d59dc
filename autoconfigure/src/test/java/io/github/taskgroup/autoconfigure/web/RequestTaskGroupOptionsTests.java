package io.github.taskgroup.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.taskgroup.TaskGroupOptions;
import io.github.taskgroup.TaskGroupPolicy;
import io.github.taskgroup.autoconfigure.TaskGroupAutoConfiguration;
import io.github.taskgroup.autoconfigure.web.reactive.TaskGroupReactiveWebAutoConfiguration;
import io.github.taskgroup.autoconfigure.web.servlet.TaskGroupServletWebAutoConfiguration;
import io.github.taskgroup.web.InvalidRequestTaskGroupOptionsException;
import io.github.taskgroup.web.RequestTaskGroupOptions;
import io.github.taskgroup.web.RequestTaskGroupSettings;
import io.github.taskgroup.web.RequestTaskGroupSettingsResolver;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.ApplicationContextAssertProvider;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.handler.AbstractHandlerMethodMapping;

/**
 * {@code @RequestTaskGroupOptions} on handlers, and the {@code taskgroup.groups.[<route>].*} properties that
 * win over it: what the resolver of the starter gives each route, and start-up failures.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RequestTaskGroupOptionsTests {

    private final WebApplicationContextRunner servlet = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    TaskGroupAutoConfiguration.class,
                    TaskGroupServletWebAutoConfiguration.class,
                    WebMvcAutoConfiguration.class));

    private final ReactiveWebApplicationContextRunner reactive = new ReactiveWebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    TaskGroupAutoConfiguration.class,
                    TaskGroupReactiveWebAutoConfiguration.class,
                    WebFluxAutoConfiguration.class));

    private static HandlerMethod handler(ApplicationContext context, String methodName) {
        for (AbstractHandlerMethodMapping<?> mapping :
                context.getBeansOfType(AbstractHandlerMethodMapping.class).values()) {
            for (HandlerMethod method : mapping.getHandlerMethods().values()) {
                if (method.getMethod().getName().equals(methodName)) {
                    return method;
                }
            }
        }
        throw new IllegalArgumentException(methodName);
    }

    private static RequestTaskGroupSettings settings(ApplicationContext context, String methodName, String group) {
        return context.getBean(RequestTaskGroupSettingsResolver.class).resolve(handler(context, methodName), group);
    }

    @Test
    void an_annotated_handlers_timeout_and_max_concurrency_are_its_groups_options() {
        this.servlet.withUserConfiguration(Annotated.class).run((context) -> {
            TaskGroupOptions options =
                    settings(context, "timeout", "GET /timeout").options();
            assertThat(options.timeout()).contains(Duration.ofSeconds(2));
            assertThat(options.maxConcurrency()).isEqualTo(OptionalInt.of(4));
            assertThat(options.policy()).isEmpty();
            assertThat(settings(context, "timeout", "GET /timeout").cancelsOnDisconnect())
                    .isTrue();
        });
    }

    @Test
    void a_handler_without_the_annotation_gets_no_options_of_its_own() {
        this.servlet
                .withUserConfiguration(Annotated.class)
                .run((context) ->
                        assertThat(settings(context, "plain", "GET /plain")).isEqualTo(RequestTaskGroupSettings.NONE));
    }

    @Test
    void placeholders_policy_executor_and_the_opt_out_are_read_from_the_annotation() {
        this.servlet
                .withUserConfiguration(Annotated.class, Everything.class, AppExecutor.class)
                .withPropertyValues("app.timeout=750ms")
                .run((context) -> {
                    RequestTaskGroupSettings settings = settings(context, "all", "GET /all");
                    assertThat(settings.options().timeout()).contains(Duration.ofMillis(750));
                    assertThat(settings.options().policy()).contains(TaskGroupPolicy.SUPERVISE);
                    assertThat(settings.options().executor().orElseThrow()).isSameAs(context.getBean("appExecutor"));
                    assertThat(settings.cancelsOnDisconnect()).isFalse();
                });
    }

    @Test
    void a_placeholder_without_a_value_takes_its_default() {
        this.servlet
                .withUserConfiguration(Annotated.class, Everything.class, AppExecutor.class)
                .run((context) -> assertThat(
                                settings(context, "all", "GET /all").options().timeout())
                        .contains(Duration.ofMillis(1500)));
    }

    @Test
    void a_property_wins_over_the_annotation_attribute_by_attribute() {
        this.servlet
                .withUserConfiguration(Annotated.class)
                .withPropertyValues("taskgroup.groups.[GET /timeout].timeout=5s")
                .run((context) -> {
                    TaskGroupOptions options =
                            settings(context, "timeout", "GET /timeout").options();
                    assertThat(options.timeout()).contains(Duration.ofSeconds(5));
                    assertThat(options.maxConcurrency()).isEqualTo(OptionalInt.of(4));
                });
    }

    @Test
    void the_cancel_on_disconnect_property_wins_over_the_annotation() {
        this.servlet
                .withUserConfiguration(Annotated.class, Everything.class, AppExecutor.class)
                .withPropertyValues(
                        "taskgroup.groups.[GET /all].cancel-on-disconnect=true",
                        "taskgroup.groups.[GET /plain].cancel-on-disconnect=false")
                .run((context) -> {
                    assertThat(settings(context, "all", "GET /all").cancelsOnDisconnect())
                            .isTrue();
                    assertThat(settings(context, "all", "GET /all").options().policy())
                            .contains(TaskGroupPolicy.SUPERVISE);
                    assertThat(settings(context, "plain", "GET /plain").cancelsOnDisconnect())
                            .isFalse();
                });
    }

    @Test
    void a_class_level_annotation_applies_to_every_handler_of_the_class() {
        this.servlet.withUserConfiguration(ClassLevel.class).run((context) -> {
            TaskGroupOptions options =
                    settings(context, "inherits", "GET /inherits").options();
            assertThat(options.timeout()).contains(Duration.ofSeconds(3));
            assertThat(options.policy()).contains(TaskGroupPolicy.FIRST_SUCCESS);
        });
    }

    @Test
    void a_method_annotation_replaces_the_class_annotation_as_a_whole() {
        this.servlet.withUserConfiguration(ClassLevel.class).run((context) -> {
            TaskGroupOptions options = settings(context, "own", "GET /own").options();
            assertThat(options.maxConcurrency()).isEqualTo(OptionalInt.of(2));
            assertThat(options.timeout()).isEmpty();
            assertThat(options.policy()).isEmpty();
        });
    }

    @ParameterizedTest(name = "{1} = {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "BadDuration | timeout | 2 seconds | it is not a duration",
                "ZeroTimeout | timeout | 0s | it must be positive",
                "NegativeConcurrency | maxConcurrency | -1 | it must be at least 1",
                "UnknownPolicy | policy | fastest | use one of fail-fast, supervise, first-success",
                "MissingExecutor | executor | nope | there is no bean named 'nope'"
            })
    void an_invalid_value_fails_start_up_naming_the_handler_method(
            String controller, String attribute, String value, String reason) throws Exception {
        Class<?> type = Class.forName(RequestTaskGroupOptionsTests.class.getName() + "$" + controller);
        this.servlet.withUserConfiguration(type).run((context) -> {
            InvalidRequestTaskGroupOptionsException invalid = invalid(context);
            assertThat(invalid.getHandler()).isEqualTo(type.getName() + "#handle()");
            assertThat(invalid.getAttribute()).isEqualTo(attribute);
            assertThat(String.valueOf(invalid.getValue())).isEqualTo(value);
            assertThat(invalid.getMessage())
                    .contains(type.getName() + "#handle()")
                    .contains(reason);
        });
    }

    @Test
    void an_invalid_value_fails_start_up_on_webflux_too() {
        this.reactive
                .withUserConfiguration(UnknownPolicy.class)
                .run((context) -> assertThat(invalid(context).getHandler())
                        .isEqualTo(UnknownPolicy.class.getName() + "#handle()"));
    }

    @Test
    void the_failure_analysis_names_the_handler_method_the_attribute_and_the_fix() {
        this.servlet.withUserConfiguration(BadDuration.class).run((context) -> {
            FailureAnalysis analysis =
                    new InvalidRequestTaskGroupOptionsFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription())
                    .isEqualTo("Invalid value '2 seconds' for attribute 'timeout' of @RequestTaskGroupOptions on "
                            + "handler method " + BadDuration.class.getName() + "#handle(): it is not a duration "
                            + "such as '2s', '500ms' or 'PT2S'.");
            assertThat(analysis.getAction()).contains("taskgroup.groups.[<METHOD> <route>]");
        });
    }

    private static InvalidRequestTaskGroupOptionsException invalid(ApplicationContextAssertProvider<?> context) {
        assertThat(context).hasFailed();
        for (Throwable cause = context.getStartupFailure(); cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidRequestTaskGroupOptionsException invalid) {
                return invalid;
            }
        }
        throw new AssertionError("Not an invalid @RequestTaskGroupOptions", context.getStartupFailure());
    }

    @RestController
    static class Annotated {

        @GetMapping("/timeout")
        @RequestTaskGroupOptions(timeout = "2s", maxConcurrency = 4)
        String timeout() {
            return "";
        }

        @GetMapping("/plain")
        String plain() {
            return "";
        }
    }

    @RestController
    static class Everything {

        @GetMapping("/all")
        @RequestTaskGroupOptions(
                timeout = "${app.timeout:1500ms}",
                policy = "supervise",
                executor = "appExecutor",
                cancelOnDisconnect = false)
        String all() {
            return "";
        }
    }

    @RestController
    @RequestTaskGroupOptions(timeout = "3s", policy = "FIRST_SUCCESS")
    static class ClassLevel {

        @GetMapping("/inherits")
        String inherits() {
            return "";
        }

        @GetMapping("/own")
        @RequestTaskGroupOptions(maxConcurrency = 2)
        String own() {
            return "";
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class AppExecutor {

        @Bean(destroyMethod = "shutdown")
        java.util.concurrent.ExecutorService appExecutor() {
            return Executors.newCachedThreadPool();
        }
    }

    @RestController
    static class BadDuration {

        @GetMapping("/bad-duration")
        @RequestTaskGroupOptions(timeout = "2 seconds")
        String handle() {
            return "";
        }
    }

    @RestController
    static class ZeroTimeout {

        @GetMapping("/zero-timeout")
        @RequestTaskGroupOptions(timeout = "0s")
        String handle() {
            return "";
        }
    }

    @RestController
    static class NegativeConcurrency {

        @GetMapping("/negative-concurrency")
        @RequestTaskGroupOptions(maxConcurrency = -1)
        String handle() {
            return "";
        }
    }

    @RestController
    static class UnknownPolicy {

        @GetMapping("/unknown-policy")
        @RequestTaskGroupOptions(policy = "fastest")
        String handle() {
            return "";
        }
    }

    @RestController
    static class MissingExecutor {

        @GetMapping("/missing-executor")
        @RequestTaskGroupOptions(executor = "nope")
        String handle() {
            return "";
        }
    }
}
