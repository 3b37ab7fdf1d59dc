package io.github.taskgroup.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupOptions;
import io.github.taskgroup.TaskRejectedException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The admission-control meters: {@code taskgroup.task.wait} and {@code taskgroup.tasks.rejected}. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TaskGroupAdmissionMetricsTests {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private final TaskGroupFactory factory = TaskGroupFactory.builder()
            .listener(new TaskGroupMetricsListener(this.registry, 100))
            .limit("pricing", 1, 1)
            .build();

    @AfterEach
    void closeFactory() {
        this.factory.close();
    }

    @RepeatedTest(5)
    void a_refused_fork_counts_in_rejected_by_reason_and_not_in_spawned() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        TaskGroupOptions bounded =
                TaskGroupOptions.builder().maxConcurrency(1).maxQueued(0).build();
        try (TaskGroup orders = this.factory.open("orders", bounded)) {
            orders.fork(() -> release.await(10, TimeUnit.SECONDS));
            assertThatExceptionOfType(TaskRejectedException.class).isThrownBy(() -> orders.fork(() -> "no"));
            assertThat(orders.tryFork(() -> "no")).isEmpty();
            try (TaskGroup prices = this.factory.open(
                    "prices", TaskGroupOptions.builder().limit("pricing").build())) {
                prices.fork(() -> release.await(10, TimeUnit.SECONDS));
                prices.fork(() -> "queued");
                assertThat(prices.tryFork(() -> "no")).isEmpty();
                release.countDown();
                prices.join();
            }
            orders.join();
        }
        assertThat(rejected("orders", TaskGroupMeters.REASON_QUEUE_FULL)).isEqualTo(2);
        assertThat(rejected("prices", TaskGroupMeters.REASON_LIMIT_FULL)).isEqualTo(1);
        assertThat(this.registry.find(TaskGroupMeters.TASKS_REJECTED).counters())
                .hasSize(2);
        assertThat(spawned("orders")).isEqualTo(1);
        assertThat(spawned("prices")).isEqualTo(2);
    }

    @Test
    void every_admitted_task_records_its_wait_and_one_that_waited_records_a_positive_wait() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (TaskGroup group = this.factory.open(
                "limited", TaskGroupOptions.builder().maxConcurrency(1).build())) {
            group.fork(() -> {
                running.countDown();
                return release.await(10, TimeUnit.SECONDS);
            });
            Task<String> queued = group.fork(() -> "second");
            running.await();
            long forkedAt = System.nanoTime();
            await().until(() -> System.nanoTime() - forkedAt >= 5_000_000L); // it waits at least 5 ms
            release.countDown();
            group.join();
            assertThat(queued.get()).isEqualTo("second");
        }
        Timer wait = this.registry
                .get(TaskGroupMeters.TASK_WAIT)
                .tag(TaskGroupMeters.GROUP, "limited")
                .timer();
        assertThat(wait.count()).isEqualTo(2);
        assertThat(wait.max(TimeUnit.NANOSECONDS)).isGreaterThanOrEqualTo(5_000_000d);
    }

    @Test
    void groups_without_admission_control_record_no_wait_and_no_rejection() throws Exception {
        this.factory.run("free", (group) -> {
            group.fork(() -> 1);
            group.fork(() -> 2);
            group.join();
            return null;
        });
        assertThat(this.registry.find(TaskGroupMeters.TASK_WAIT).timers()).isEmpty();
        assertThat(this.registry.find(TaskGroupMeters.TASKS_REJECTED).counters())
                .isEmpty();
        assertThat(spawned("free")).isEqualTo(2);
    }

    private double rejected(String group, String reason) {
        Counter counter = this.registry
                .get(TaskGroupMeters.TASKS_REJECTED)
                .tags(TaskGroupMeters.GROUP, group, TaskGroupMeters.REASON, reason)
                .counter();
        return counter.count();
    }

    private double spawned(String group) {
        return this.registry
                .get(TaskGroupMeters.TASKS_SPAWNED)
                .tag(TaskGroupMeters.GROUP, group)
                .counter()
                .count();
    }
}
