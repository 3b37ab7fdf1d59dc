package io.github.taskgroup.autoconfigure.observation;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.autoconfigure.InvalidTaskGroupPropertyException;
import io.github.taskgroup.autoconfigure.TaskGroupAutoConfiguration;
import io.github.taskgroup.autoconfigure.metrics.TaskGroupMetricsAutoConfiguration;
import io.github.taskgroup.micrometer.DefaultTaskGroupObservationConvention;
import io.github.taskgroup.micrometer.DefaultTaskObservationConvention;
import io.github.taskgroup.micrometer.TaskGroupMeters;
import io.github.taskgroup.micrometer.TaskGroupObservationConvention;
import io.github.taskgroup.micrometer.TaskGroupObservationListener;
import io.github.taskgroup.micrometer.TaskGroupObservationMeterFilter;
import io.github.taskgroup.micrometer.TaskObservationConvention;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Conditions, back-off, switch and convention beans of {@link TaskGroupObservationAutoConfiguration}, and the
 * meter filter that leaves the metrics listener's meters the only family.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TaskGroupObservationAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    TaskGroupAutoConfiguration.class, TaskGroupObservationAutoConfiguration.class));

    @Test
    void observes_groups_and_tasks_of_the_auto_configured_factory() {
        TestObservationRegistry registry = TestObservationRegistry.create();
        this.runner.withBean(ObservationRegistry.class, () -> registry).run((context) -> {
            assertThat(context).hasSingleBean(TaskGroupObservationListener.class);
            context.getBean(TaskGroupFactory.class).run("boot", (group) -> group.fork(() -> 1));
            assertThat(registry)
                    .hasNumberOfObservationsWithNameEqualTo("taskgroup.group", 1)
                    .hasNumberOfObservationsWithNameEqualTo("taskgroup.task", 1);
        });
    }

    @Test
    void works_with_boots_observation_registry() {
        this.runner
                .withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class))
                .run((context) -> assertThat(context).hasSingleBean(TaskGroupObservationListener.class));
    }

    @Test
    void convention_beans_replace_the_naming() {
        TestObservationRegistry registry = TestObservationRegistry.create();
        this.runner
                .withBean(ObservationRegistry.class, () -> registry)
                .withBean(TaskGroupObservationConvention.class, () -> new DefaultTaskGroupObservationConvention() {
                    @Override
                    public String getName() {
                        return "my.group";
                    }
                })
                .withBean(TaskObservationConvention.class, () -> new DefaultTaskObservationConvention() {
                    @Override
                    public String getName() {
                        return "my.task";
                    }
                })
                .run((context) -> {
                    context.getBean(TaskGroupFactory.class).run("named", (group) -> group.fork(() -> 1));
                    assertThat(registry)
                            .hasNumberOfObservationsWithNameEqualTo("my.group", 1)
                            .hasNumberOfObservationsWithNameEqualTo("my.task", 1)
                            .hasNumberOfObservationsWithNameEqualTo("taskgroup.group", 0);
                });
    }

    /** Boot's observation and metrics auto-configurations: its meter observation handler is on. */
    private ApplicationContextRunner withBootMetrics() {
        return this.runner.withConfiguration(AutoConfigurations.of(
                ObservationAutoConfiguration.class,
                MetricsAutoConfiguration.class,
                CompositeMeterRegistryAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class,
                TaskGroupMetricsAutoConfiguration.class));
    }

    @Test
    void with_boots_meter_registry_the_observations_make_no_meters_of_their_own() {
        withBootMetrics().run((context) -> {
            assertThat(context)
                    .hasSingleBean(TaskGroupObservationMeterFilter.class)
                    .hasSingleBean(TaskGroupObservationListener.class);
            context.getBean(TaskGroupFactory.class).run("boot", (group) -> group.fork(() -> 1));
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.getMeters())
                    .extracting((meter) -> meter.getId().getName())
                    .doesNotContain(
                            "taskgroup.group", "taskgroup.task", "taskgroup.group.active", "taskgroup.task.active")
                    .contains(
                            TaskGroupMeters.GROUP_DURATION,
                            TaskGroupMeters.TASK_DURATION,
                            TaskGroupMeters.GROUPS_ACTIVE,
                            TaskGroupMeters.TASKS_ACTIVE);
        });
    }

    @Test
    void boots_meter_observation_handler_still_sees_the_observations_of_other_instrumentation() {
        withBootMetrics().run((context) -> {
            ObservationRegistry observations = context.getBean(ObservationRegistry.class);
            io.micrometer.observation.Observation.createNotStarted("app.work", observations)
                    .observe(() -> {});
            assertThat(context.getBean(MeterRegistry.class).find("app.work").timer())
                    .isNotNull();
        });
    }

    @Test
    void the_meter_filter_follows_convention_beans_that_rename_the_observations() {
        withBootMetrics()
                .withBean(TaskGroupObservationConvention.class, () -> new DefaultTaskGroupObservationConvention() {
                    @Override
                    public String getName() {
                        return "my.group";
                    }
                })
                .run((context) -> {
                    context.getBean(TaskGroupFactory.class).run("renamed", (group) -> group.fork(() -> 1));
                    assertThat(context.getBean(MeterRegistry.class).getMeters())
                            .extracting(Meter::getId)
                            .extracting(Meter.Id::getName)
                            .doesNotContain("my.group", "my.group.active", "taskgroup.task", "taskgroup.task.active");
                });
    }

    @Test
    void has_no_meter_filter_without_a_meter_registry() {
        this.runner
                .withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class))
                .run((context) -> assertThat(context)
                        .hasSingleBean(TaskGroupObservationListener.class)
                        .doesNotHaveBean(TaskGroupObservationMeterFilter.class));
    }

    @Test
    void has_no_meter_filter_when_switched_off() {
        withBootMetrics()
                .withPropertyValues("taskgroup.observation.enabled=false")
                .run((context) -> assertThat(context).doesNotHaveBean(TaskGroupObservationMeterFilter.class));
    }

    @Test
    void max_group_names_bounds_the_group_key_value_of_the_observations() {
        TestObservationRegistry registry = TestObservationRegistry.create();
        this.runner
                .withBean(ObservationRegistry.class, () -> registry)
                .withPropertyValues("taskgroup.metrics.max-group-names=1")
                .run((context) -> {
                    TaskGroupFactory factory = context.getBean(TaskGroupFactory.class);
                    factory.run("first", (group) -> group.fork(() -> 1));
                    factory.run("second", (group) -> group.fork(() -> 1));
                    assertThat(registry)
                            .hasHandledContextsThatSatisfy((contexts) -> assertThat(contexts)
                                    .extracting((observation) -> observation.getName() + " "
                                            + observation
                                                    .getLowCardinalityKeyValue("group")
                                                    .getValue())
                                    .containsExactlyInAnyOrder(
                                            "taskgroup.group first",
                                            "taskgroup.task first",
                                            "taskgroup.group other",
                                            "taskgroup.task other"));
                });
    }

    @Test
    void max_group_names_below_one_fails_start_up_naming_the_property_without_metrics_too() {
        this.runner
                .withBean(ObservationRegistry.class, TestObservationRegistry::create)
                .withPropertyValues("taskgroup.metrics.max-group-names=0")
                .run((context) -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .isInstanceOf(InvalidTaskGroupPropertyException.class)
                        .hasMessageContaining("taskgroup.metrics.max-group-names"));
    }

    @Test
    void backs_off_without_an_observation_registry() {
        this.runner.run(
                (context) -> assertThat(context).hasNotFailed().doesNotHaveBean(TaskGroupObservationListener.class));
    }

    @Test
    void backs_off_without_micrometer_observation_on_the_class_path() {
        this.runner
                .withClassLoader(new FilteredClassLoader(ObservationRegistry.class))
                .run((context) -> assertThat(context)
                        .hasNotFailed()
                        .doesNotHaveBean(TaskGroupObservationListener.class)
                        .hasSingleBean(TaskGroupFactory.class));
    }

    @Test
    void is_switched_off_with_taskgroup_observation_enabled_false() {
        this.runner
                .withBean(ObservationRegistry.class, TestObservationRegistry::create)
                .withPropertyValues("taskgroup.observation.enabled=false")
                .run((context) -> assertThat(context).doesNotHaveBean(TaskGroupObservationListener.class));
    }
}
