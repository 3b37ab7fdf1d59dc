package io.github.taskgroup.autoconfigure.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.autoconfigure.InvalidTaskGroupPropertyException;
import io.github.taskgroup.autoconfigure.TaskGroupAutoConfiguration;
import io.github.taskgroup.micrometer.TaskGroupMeters;
import io.github.taskgroup.micrometer.TaskGroupMetricsListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Conditions, back-off and switches of {@link TaskGroupMetricsAutoConfiguration}.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TaskGroupMetricsAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    TaskGroupAutoConfiguration.class,
                    TaskGroupMetricsAutoConfiguration.class,
                    MetricsAutoConfiguration.class,
                    CompositeMeterRegistryAutoConfiguration.class,
                    SimpleMetricsExportAutoConfiguration.class));

    @Test
    void boots_meter_registry_gets_the_meters_of_the_auto_configured_factory() {
        this.runner.run((context) -> {
            assertThat(context).hasSingleBean(TaskGroupMetricsListener.class);
            TaskGroupFactory factory = context.getBean(TaskGroupFactory.class);
            factory.run("boot", (group) -> group.fork(() -> 1));
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.get(TaskGroupMeters.TASKS_SPAWNED)
                            .tag("group", "boot")
                            .counter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get(TaskGroupMeters.TASK_DURATION)
                            .tags("group", "boot", "outcome", "succeeded")
                            .timer()
                            .count())
                    .isEqualTo(1);
        });
    }

    @Test
    void an_application_meter_registry_is_used_too() {
        SimpleMeterRegistry own = new SimpleMeterRegistry();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        TaskGroupAutoConfiguration.class, TaskGroupMetricsAutoConfiguration.class))
                .withBean(MeterRegistry.class, () -> own)
                .run((context) -> {
                    context.getBean(TaskGroupFactory.class).run("own", (group) -> group.fork(() -> 1));
                    assertThat(own.get(TaskGroupMeters.TASKS_SPAWNED).counter().count())
                            .isEqualTo(1);
                });
    }

    @Test
    void backs_off_without_a_meter_registry() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        TaskGroupAutoConfiguration.class, TaskGroupMetricsAutoConfiguration.class))
                .run((context) -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(TaskGroupMetricsListener.class);
                    assertThat(context).hasSingleBean(TaskGroupFactory.class);
                });
    }

    @Test
    void backs_off_without_micrometer_on_the_class_path() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        TaskGroupAutoConfiguration.class, TaskGroupMetricsAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader(MeterRegistry.class))
                .run((context) -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(TaskGroupMetricsListener.class);
                    assertThat(context).hasSingleBean(TaskGroupFactory.class);
                });
    }

    @Test
    void is_switched_off_with_taskgroup_metrics_enabled_false() {
        this.runner.withPropertyValues("taskgroup.metrics.enabled=false").run((context) -> {
            assertThat(context).doesNotHaveBean(TaskGroupMetricsListener.class);
            context.getBean(TaskGroupFactory.class).run("off", (group) -> group.fork(() -> 1));
            assertThat(context.getBean(MeterRegistry.class)
                            .find(TaskGroupMeters.TASKS_SPAWNED)
                            .meters())
                    .isEmpty();
        });
    }

    @Test
    void an_own_listener_bean_replaces_it() {
        TaskGroupMetricsListener own = new TaskGroupMetricsListener(new SimpleMeterRegistry(), 5);
        this.runner
                .withBean(TaskGroupMetricsListener.class, () -> own)
                .run((context) -> assertThat(context)
                        .getBean(TaskGroupMetricsListener.class)
                        .isSameAs(own));
    }

    @Test
    void max_group_names_limits_the_group_tags() {
        this.runner.withPropertyValues("taskgroup.metrics.max-group-names=1").run((context) -> {
            TaskGroupFactory factory = context.getBean(TaskGroupFactory.class);
            factory.run("first", (group) -> group.fork(() -> 1));
            factory.run("second", (group) -> group.fork(() -> 1));
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.find(TaskGroupMeters.TASKS_SPAWNED).counters())
                    .extracting((counter) -> counter.getId().getTag("group"))
                    .containsExactlyInAnyOrder("first", "other");
        });
    }

    @Test
    void max_group_names_below_one_fails_start_up_naming_the_property() {
        this.runner.withPropertyValues("taskgroup.metrics.max-group-names=0").run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(InvalidTaskGroupPropertyException.class)
                    .hasMessageContaining("taskgroup.metrics.max-group-names");
        });
    }
}
