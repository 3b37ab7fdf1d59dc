package io.github.taskgroup.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.autoconfigure.actuate.TaskGroupsEndpoint;
import io.github.taskgroup.autoconfigure.actuate.TaskGroupsEndpoint.TaskDescriptor;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class StragglerThresholdPropertyTests {

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TaskGroupAutoConfiguration.class));

    @Test
    void a_zero_straggler_threshold_fails_start_up_naming_the_property() {
        this.runner
                .withPropertyValues("taskgroup.straggler-threshold=0s")
                .run((context) -> assertThat(TaskGroupAutoConfigurationTests.analyze(context))
                        .contains("Invalid value 'PT0S' for configuration property 'taskgroup.straggler-threshold': "
                                + "it must be positive.")
                        .contains("Set 'taskgroup.straggler-threshold' to a positive duration such as '1s'"));
    }

    @Test
    void the_default_threshold_is_one_second() {
        assertThat(new TaskGroupProperties().getStragglerThreshold()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void the_threshold_reaches_the_factory_and_the_endpoint_shows_the_straggler() {
        this.runner.withPropertyValues("taskgroup.straggler-threshold=50ms").run((context) -> {
            TaskGroupFactory factory = context.getBean(TaskGroupFactory.class);
            TaskGroupsEndpoint endpoint = new TaskGroupsEndpoint(factory);
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            try (TaskGroup group = factory.open("stubborn")) {
                group.fork("ignores-interrupt", () -> {
                    started.countDown();
                    while (true) {
                        try {
                            release.await();
                            return "released";
                        } catch (InterruptedException swallowed) {
                            // ignores its cancellation
                        }
                    }
                });
                assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(task(endpoint).straggler()).isFalse();
                assertThat(task(endpoint).sinceCancelled()).isNull();
                group.cancel();
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> task(endpoint).straggler());
                assertThat(Duration.parse(task(endpoint).sinceCancelled()))
                        .isGreaterThanOrEqualTo(Duration.ofMillis(50));
                release.countDown();
                group.join();
            } finally {
                release.countDown();
            }
        });
    }

    private static TaskDescriptor task(TaskGroupsEndpoint endpoint) {
        return endpoint.taskGroups().groups().get(0).tasks().get(0);
    }
}
