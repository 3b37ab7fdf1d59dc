package io.github.taskgroup.autoconfigure.observation;

import io.github.taskgroup.micrometer.DefaultTaskGroupObservationConvention;
import io.github.taskgroup.micrometer.DefaultTaskObservationConvention;
import io.github.taskgroup.micrometer.TaskGroupObservationConvention;
import io.github.taskgroup.micrometer.TaskGroupObservationListener;
import io.github.taskgroup.micrometer.TaskObservationConvention;

import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.autoconfigure.TaskGroupAutoConfiguration;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Conditions, back-off, switch and convention beans of {@link TaskGroupObservationAutoConfiguration}.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TaskGroupObservationAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(TaskGroupAutoConfiguration.class,
                TaskGroupObservationAutoConfiguration.class));

    @Test
    void observes_groups_and_tasks_of_the_auto_configured_factory() {
        TestObservationRegistry registry = TestObservationRegistry.create();
        this.runner.withBean(ObservationRegistry.class, () -> registry).run((context) -> {
            assertThat(context).hasSingleBean(TaskGroupObservationListener.class);
            context.getBean(TaskGroupFactory.class).run("boot", (group) -> group.fork(() -> 1));
            assertThat(registry).hasNumberOfObservationsWithNameEqualTo("taskgroup.group", 1)
                .hasNumberOfObservationsWithNameEqualTo("taskgroup.task", 1);
        });
    }

    @Test
    void works_with_boots_observation_registry() {
        this.runner.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class))
            .run((context) -> assertThat(context).hasSingleBean(TaskGroupObservationListener.class));
    }

    @Test
    void convention_beans_replace_the_naming() {
        TestObservationRegistry registry = TestObservationRegistry.create();
        this.runner.withBean(ObservationRegistry.class, () -> registry)
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
                assertThat(registry).hasNumberOfObservationsWithNameEqualTo("my.group", 1)
                    .hasNumberOfObservationsWithNameEqualTo("my.task", 1)
                    .hasNumberOfObservationsWithNameEqualTo("taskgroup.group", 0);
            });
    }

    @Test
    void backs_off_without_an_observation_registry() {
        this.runner.run((context) -> assertThat(context).hasNotFailed()
            .doesNotHaveBean(TaskGroupObservationListener.class));
    }

    @Test
    void backs_off_without_micrometer_observation_on_the_class_path() {
        this.runner.withClassLoader(new FilteredClassLoader(ObservationRegistry.class))
            .run((context) -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(TaskGroupObservationListener.class)
                .hasSingleBean(TaskGroupFactory.class));
    }

    @Test
    void is_switched_off_with_taskgroup_observation_enabled_false() {
        this.runner.withBean(ObservationRegistry.class, TestObservationRegistry::create)
            .withPropertyValues("taskgroup.observation.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean(TaskGroupObservationListener.class));
    }
}
