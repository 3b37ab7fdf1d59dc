package io.github.taskgroup.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskRejectedException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The admission-control properties: max-queued, limit, and the shared limits of taskgroup.limits. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AdmissionPropertiesTests {

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TaskGroupAutoConfiguration.class));

    @Test
    void a_shared_limit_from_properties_bounds_the_groups_that_name_it_and_refuses_past_its_queue() {
        this.runner
                .withPropertyValues(
                        "taskgroup.limits.pricing.max-concurrency=1",
                        "taskgroup.limits.pricing.max-queued=0",
                        "taskgroup.groups.prices.limit=pricing")
                .run((context) -> {
                    TaskGroupFactory factory = context.getBean(TaskGroupFactory.class);
                    CountDownLatch release = new CountDownLatch(1);
                    try (TaskGroup a = factory.openRoot("prices", io.github.taskgroup.TaskGroupOptions.defaults());
                            TaskGroup b = factory.openRoot("prices", io.github.taskgroup.TaskGroupOptions.defaults())) {
                        Task<Boolean> holder = a.fork(() -> release.await(10, TimeUnit.SECONDS));
                        assertThat(b.tryFork(() -> "no")).isEmpty();
                        try {
                            b.fork(() -> "no");
                            throw new AssertionError("not refused");
                        } catch (TaskRejectedException expected) {
                            assertThat(expected.limitName()).contains("pricing");
                        }
                        release.countDown();
                        a.join();
                        assertThat(holder.get()).isTrue();
                    }
                });
    }

    @Test
    void the_default_max_queued_bounds_the_queue_of_groups_with_max_concurrency() {
        this.runner
                .withPropertyValues("taskgroup.max-concurrency=1", "taskgroup.max-queued=1")
                .run((context) -> {
                    TaskGroupFactory factory = context.getBean(TaskGroupFactory.class);
                    CountDownLatch release = new CountDownLatch(1);
                    try (TaskGroup group = factory.open("orders")) {
                        group.fork(() -> release.await(10, TimeUnit.SECONDS));
                        assertThat(group.tryFork(() -> "queued")).isPresent();
                        assertThat(group.tryFork(() -> "no")).isEmpty();
                        release.countDown();
                        group.join();
                    }
                });
    }

    @Test
    void a_negative_max_queued_fails_start_up_naming_the_property() {
        assertInvalid("taskgroup.max-queued=-1", "taskgroup.max-queued", "it must be at least 0");
        assertInvalid(
                "taskgroup.groups.orders.max-queued=-1", "taskgroup.groups.orders.max-queued", "it must be at least 0");
        assertInvalid(
                "taskgroup.limits.pricing.max-concurrency=0",
                "taskgroup.limits.pricing.max-concurrency",
                "it must be at least 1");
    }

    @Test
    void a_limit_without_max_concurrency_fails_start_up() {
        assertInvalid(
                "taskgroup.limits.pricing.max-queued=3",
                "taskgroup.limits.pricing.max-concurrency",
                "a shared limit needs it");
    }

    @Test
    void a_group_that_names_an_unknown_limit_fails_start_up_listing_the_known_ones() {
        this.runner
                .withPropertyValues(
                        "taskgroup.limits.pricing.max-concurrency=2", "taskgroup.groups.orders.limit=pricng")
                .run((context) -> {
                    InvalidConfigurationPropertyValueException invalid = findCause(context.getStartupFailure());
                    assertThat(invalid.getName()).isEqualTo("taskgroup.groups.orders.limit");
                    assertThat(invalid.getReason()).isEqualTo("no shared limit has that name (known: [pricing])");
                });
        assertInvalid("taskgroup.limit=pricing", "taskgroup.limit", "no shared limit has that name");
    }

    private void assertInvalid(String property, String name, String reason) {
        this.runner.withPropertyValues(property).run((context) -> {
            assertThat(context).hasFailed();
            InvalidConfigurationPropertyValueException invalid = findCause(context.getStartupFailure());
            assertThat(invalid.getName()).isEqualTo(name);
            assertThat(invalid.getReason()).isEqualTo(reason);
        });
    }

    private static InvalidConfigurationPropertyValueException findCause(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidConfigurationPropertyValueException invalid) {
                return invalid;
            }
        }
        throw new AssertionError("no InvalidConfigurationPropertyValueException in " + failure);
    }
}
