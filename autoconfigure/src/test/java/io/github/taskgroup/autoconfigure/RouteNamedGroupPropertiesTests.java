package io.github.taskgroup.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.env.PropertiesPropertySourceLoader;
import org.springframework.boot.env.PropertySourceLoader;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;

/**
 * Groups named after a route ({@code GET /slow}, the name of a request group) configured from real
 * {@code .properties} and YAML text, parsed as Spring Boot parses application files.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@ExtendWith(OutputCaptureExtension.class)
class RouteNamedGroupPropertiesTests {

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TaskGroupAutoConfiguration.class));

    @Test
    void a_properties_file_with_the_space_escaped_configures_the_route_group() {
        this.runner
                .withInitializer((context) -> context.getEnvironment()
                        .getPropertySources()
                        .addFirst(load(
                                new PropertiesPropertySourceLoader(), "taskgroup.groups.[GET\\ /slow].timeout=3s\n")))
                .run((context) -> assertThat(context.getBean(TaskGroupProperties.class)
                                .getGroups()
                                .get("GET /slow")
                                .getTimeout())
                        .isEqualTo(Duration.ofSeconds(3)));
    }

    @Test
    void a_yaml_file_with_the_bracketed_key_quoted_configures_the_route_group() {
        String yaml = """
                taskgroup:
                  groups:
                    "[GET /slow]":
                      timeout: 3s
                """;
        this.runner
                .withInitializer((context) -> context.getEnvironment()
                        .getPropertySources()
                        .addFirst(load(new YamlPropertySourceLoader(), yaml)))
                .run((context) -> assertThat(context.getBean(TaskGroupProperties.class)
                                .getGroups()
                                .get("GET /slow")
                                .getTimeout())
                        .isEqualTo(Duration.ofSeconds(3)));
    }

    @Test
    void a_properties_file_with_the_space_unescaped_fails_start_up_saying_how_to_write_it() {
        AtomicReference<Environment> environment = new AtomicReference<>();
        this.runner
                .withInitializer((context) -> {
                    environment.set(context.getEnvironment());
                    context.getEnvironment()
                            .getPropertySources()
                            .addFirst(load(
                                    new PropertiesPropertySourceLoader(), "taskgroup.groups.[GET /slow].timeout=3s\n"));
                })
                .run((context) -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis analysis =
                            new RouteNamedGroupFailureAnalyzer(environment.get()).analyze(context.getStartupFailure());
                    assertThat(analysis)
                            .as("failure analysis of %s", context.getStartupFailure())
                            .isNotNull();
                    assertThat(analysis.getDescription())
                            .contains("taskgroup.groups.[GET")
                            .contains("/slow].timeout=3s")
                            .contains("space");
                    assertThat(analysis.getAction())
                            .contains("taskgroup.groups.[GET\\ /slow].timeout=3s")
                            .contains("\"[GET /slow]\":");
                });
    }

    @Test
    void an_application_started_with_the_unescaped_key_reports_how_to_write_it(CapturedOutput output) {
        SpringApplication application = new SpringApplication(Application.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        assertThatException()
                .isThrownBy(() -> application
                        .run("--spring.config.location=classpath:route-names/unescaped.properties")
                        .close());
        assertThat(output)
                .contains("APPLICATION FAILED TO START")
                .contains("a space ends the key")
                .contains("taskgroup.groups.[GET\\ /slow].timeout=3s");
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TaskGroupAutoConfiguration.class)
    static class Application {}

    private static PropertySource<?> load(PropertySourceLoader loader, String text) {
        try {
            List<PropertySource<?>> sources = loader.load(
                    "test", new ByteArrayResource(text.getBytes(StandardCharsets.ISO_8859_1), "application file"));
            return sources.get(0);
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
