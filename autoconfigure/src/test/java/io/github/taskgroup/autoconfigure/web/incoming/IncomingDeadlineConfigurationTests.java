package io.github.taskgroup.autoconfigure.web.incoming;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.taskgroup.TaskGroupOptions;
import io.github.taskgroup.autoconfigure.InvalidTaskGroupPropertyException;
import io.github.taskgroup.autoconfigure.TaskGroupAutoConfiguration;
import io.github.taskgroup.autoconfigure.web.RequestTaskGroupConfiguration;
import io.github.taskgroup.micrometer.TaskGroupMeters;
import io.github.taskgroup.web.IncomingDeadline;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The {@link IncomingDeadline} bean: switches, properties, validation and its counter. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class IncomingDeadlineConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TaskGroupAutoConfiguration.class))
            .withUserConfiguration(RequestTaskGroupConfiguration.class);

    @Test
    void by_default_the_main_header_is_read_with_a_margin_of_5ms() {
        this.runner.run((context) -> {
            IncomingDeadline rule = context.getBean(IncomingDeadline.class);
            assertThat(rule.headerNames()).containsExactly("X-Request-Timeout-Ms");
            assertThat(rule.margin()).isEqualTo(Duration.ofMillis(5));
        });
    }

    @Test
    void the_properties_set_the_header_names_and_the_margin() {
        this.runner
                .withPropertyValues(
                        "taskgroup.propagation.header-name=X-Budget",
                        "taskgroup.propagation.incoming.margin=20ms",
                        "taskgroup.propagation.incoming.extra-header-names=x-envoy-expected-rq-timeout-ms")
                .run((context) -> {
                    IncomingDeadline rule = context.getBean(IncomingDeadline.class);
                    assertThat(rule.headerNames()).containsExactly("X-Budget", "x-envoy-expected-rq-timeout-ms");
                    assertThat(rule.margin()).isEqualTo(Duration.ofMillis(20));
                });
    }

    @Test
    void either_switch_turns_adoption_off() {
        this.runner
                .withPropertyValues("taskgroup.propagation.incoming.enabled=false")
                .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(IncomingDeadline.class));
        this.runner
                .withPropertyValues("taskgroup.propagation.enabled=false")
                .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(IncomingDeadline.class));
    }

    @Test
    void a_negative_margin_stops_start_up_naming_the_property() {
        this.runner
                .withPropertyValues("taskgroup.propagation.incoming.margin=-1ms")
                .run((context) -> assertThat(context.getStartupFailure())
                        .rootCause()
                        .isInstanceOf(InvalidTaskGroupPropertyException.class)
                        .hasMessageContaining("taskgroup.propagation.incoming.margin"));
    }

    @Test
    void an_illegal_extra_header_name_stops_start_up_naming_the_property() {
        this.runner
                .withPropertyValues("taskgroup.propagation.incoming.extra-header-names=ok-name,bad name")
                .run((context) -> assertThat(context.getStartupFailure())
                        .rootCause()
                        .isInstanceOf(InvalidTaskGroupPropertyException.class)
                        .hasMessageContaining("taskgroup.propagation.incoming.extra-header-names[1]"));
    }

    @Test
    void with_a_meter_registry_every_outcome_is_counted_from_zero() {
        this.runner
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withPropertyValues("taskgroup.default-timeout=10s")
                .run((context) -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    IncomingDeadline rule = context.getBean(IncomingDeadline.class);
                    for (String outcome : List.of("adopted", "expired", "ignored-later", "ignored-malformed")) {
                        assertThat(count(registry, outcome)).as(outcome).isZero();
                    }
                    long now = System.nanoTime();
                    rule.read(Map.of("X-Request-Timeout-Ms", "x1")::get, now);
                    // the default timeout (10s) is what a group without settings would get: 1h does not lengthen it
                    TaskGroupOptions kept = rule.read(Map.of("X-Request-Timeout-Ms", "3600000")::get, now)
                            .orElseThrow()
                            .applyTo(TaskGroupOptions.defaults(), now);
                    assertThat(kept.timeout()).isEmpty();
                    TaskGroupOptions adopted = rule.read(Map.of("X-Request-Timeout-Ms", "1000")::get, now)
                            .orElseThrow()
                            .applyTo(TaskGroupOptions.defaults(), now);
                    assertThat(adopted.timeout()).contains(Duration.ofMillis(995));
                    assertThat(count(registry, "ignored-malformed")).isEqualTo(1);
                    assertThat(count(registry, "ignored-later")).isEqualTo(1);
                    assertThat(count(registry, "adopted")).isEqualTo(1);
                });
    }

    private static double count(MeterRegistry registry, String outcome) {
        return registry.get(TaskGroupMeters.PROPAGATION_RECEIVED)
                .tag(TaskGroupMeters.OUTCOME, outcome)
                .counter()
                .count();
    }
}
