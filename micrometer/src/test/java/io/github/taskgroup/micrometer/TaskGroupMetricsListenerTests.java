package io.github.taskgroup.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupException;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupOptions;
import io.github.taskgroup.TaskGroupPolicy;
import io.github.taskgroup.TaskGroupTimeoutException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Exact meter values on a {@link SimpleMeterRegistry} after scripted scenarios. Every test ends with all
 * groups closed, so the balance {@code spawned = succeeded + failed + cancelled} must hold exactly.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TaskGroupMetricsListenerTests {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private final TaskGroupFactory factory = TaskGroupFactory.builder()
            .listener(new TaskGroupMetricsListener(this.registry, 100))
            .build();

    @AfterEach
    void closeFactory() {
        this.factory.close();
    }

    @Test
    void success_counts_every_task_and_the_group() throws InterruptedException {
        int sum = this.factory.run("checkout", (group) -> {
            Task<Integer> a = group.fork("a", () -> 1);
            Task<Integer> b = group.fork("b", () -> 2);
            Task<Integer> c = group.fork("c", () -> 3);
            group.join();
            return a.get() + b.get() + c.get();
        });
        assertThat(sum).isEqualTo(6);
        assertThat(spawned("checkout")).isEqualTo(3);
        assertThat(taskCount("checkout", "succeeded")).isEqualTo(3);
        assertThat(taskCount("checkout", "failed")).isZero();
        assertThat(taskCount("checkout", "cancelled")).isZero();
        assertThat(this.registry.find(TaskGroupMeters.TASKS_CANCELLED).meters()).isEmpty();
        assertThat(groupCount("checkout", "succeeded")).isEqualTo(1);
        assertIdle("checkout");
        assertBalanced();
    }

    @Test
    void failure_cancels_the_siblings_with_reason_sibling_failure() {
        CountDownLatch siblingRunning = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        assertThatExceptionOfType(TaskGroupException.class)
                .isThrownBy(() -> this.factory.run("orders", (group) -> {
                    group.fork("slow", () -> {
                        siblingRunning.countDown();
                        never.await();
                        return null;
                    });
                    group.fork("broken", () -> {
                        siblingRunning.await();
                        throw new IllegalStateException("boom");
                    });
                    group.join();
                    return null;
                }));
        assertThat(spawned("orders")).isEqualTo(2);
        assertThat(taskCount("orders", "failed")).isEqualTo(1);
        assertThat(taskCount("orders", "cancelled")).isEqualTo(1);
        assertThat(taskCount("orders", "succeeded")).isZero();
        assertThat(cancelled("orders", "sibling-failure")).isEqualTo(1);
        assertThat(groupCount("orders", "failed")).isEqualTo(1);
        assertIdle("orders");
        assertBalanced();
    }

    @Test
    void timeout_cancels_the_tasks_with_reason_timeout() {
        CountDownLatch never = new CountDownLatch(1);
        TaskGroupOptions options =
                TaskGroupOptions.builder().timeout(Duration.ofMillis(50)).build();
        try (TaskGroup group = this.factory.open("slow", options)) {
            group.fork("waits", () -> {
                never.await();
                return null;
            });
            assertThatExceptionOfType(TaskGroupTimeoutException.class).isThrownBy(group::join);
        }
        assertThat(spawned("slow")).isEqualTo(1);
        assertThat(cancelled("slow", "timeout")).isEqualTo(1);
        assertThat(taskCount("slow", "cancelled")).isEqualTo(1);
        assertThat(groupCount("slow", "timeout")).isEqualTo(1);
        assertIdle("slow");
        assertBalanced();
    }

    @Test
    void a_run_whose_deadline_expires_records_outcome_timeout() {
        CountDownLatch never = new CountDownLatch(1);
        TaskGroupOptions options =
                TaskGroupOptions.builder().timeout(Duration.ofMillis(50)).build();
        assertThatExceptionOfType(TaskGroupTimeoutException.class)
                .isThrownBy(() -> this.factory.run("slow-run", options, (group) -> {
                    group.fork("waits", () -> {
                        never.await();
                        return null;
                    });
                    group.join(); // throws the timeout; run() passes it through as join's own report
                    return null;
                }));
        assertThat(cancelled("slow-run", "timeout")).isEqualTo(1);
        assertThat(groupCount("slow-run", "timeout")).isEqualTo(1);
        assertIdle("slow-run");
        assertBalanced();
    }

    @Test
    void explicit_cancel_is_counted_with_reason_explicit_and_the_group_outcome_cancelled() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        try (TaskGroup group = this.factory.open("search")) {
            group.fork("waits", () -> {
                running.countDown();
                never.await();
                return null;
            });
            running.await();
            assertThat(gauge(TaskGroupMeters.TASKS_ACTIVE, "search")).isEqualTo(1);
            assertThat(gauge(TaskGroupMeters.GROUPS_ACTIVE, "search")).isEqualTo(1);
            group.cancel();
            group.join();
        }
        assertThat(cancelled("search", "explicit")).isEqualTo(1);
        assertThat(taskCount("search", "cancelled")).isEqualTo(1);
        assertThat(groupCount("search", "cancelled")).isEqualTo(1);
        assertIdle("search");
        assertBalanced();
    }

    @Test
    void a_task_that_never_started_is_recorded_with_zero_duration() throws Exception {
        try (TaskGroup group = this.factory.open("late")) {
            group.cancel();
            Task<String> task = group.fork("never", () -> "x");
            assertThat(task.state()).isEqualTo(Task.State.CANCELLED);
            group.join();
        }
        Timer cancelled = timer(TaskGroupMeters.TASK_DURATION, "late", "cancelled");
        assertThat(cancelled.count()).isEqualTo(1);
        assertThat(cancelled.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS))
                .isZero();
        assertThat(cancelled("late", "explicit")).isEqualTo(1);
        assertIdle("late");
        assertBalanced();
    }

    @Test
    void nested_groups_are_counted_under_their_own_names_and_cancelled_with_reason_parent() throws Exception {
        CountDownLatch innerRunning = new CountDownLatch(2);
        CountDownLatch never = new CountDownLatch(1);
        try (TaskGroup outer = this.factory.open("outer")) {
            outer.fork(
                    "fan-out",
                    () -> this.factory.run("inner", (inner) -> {
                        for (int i = 0; i < 2; i++) {
                            inner.fork(() -> {
                                innerRunning.countDown();
                                never.await();
                                return null;
                            });
                        }
                        inner.join();
                        return null;
                    }));
            innerRunning.await();
            assertThat(gauge(TaskGroupMeters.GROUPS_ACTIVE, "outer")).isEqualTo(1);
            assertThat(gauge(TaskGroupMeters.GROUPS_ACTIVE, "inner")).isEqualTo(1);
            assertThat(gauge(TaskGroupMeters.TASKS_ACTIVE, "outer")).isEqualTo(1);
            assertThat(gauge(TaskGroupMeters.TASKS_ACTIVE, "inner")).isEqualTo(2);
            outer.cancel();
            outer.join();
        }
        assertThat(spawned("outer")).isEqualTo(1);
        assertThat(spawned("inner")).isEqualTo(2);
        assertThat(cancelled("inner", "parent")).isEqualTo(2);
        assertThat(groupCount("inner", "cancelled")).isEqualTo(1);
        assertThat(groupCount("outer", "cancelled")).isEqualTo(1);
        // The fan-out task ends without a genuine failure: its nested group's cancellation is an echo.
        assertThat(taskCount("outer", "failed") + taskCount("outer", "cancelled") + taskCount("outer", "succeeded"))
                .isEqualTo(1);
        assertIdle("outer");
        assertIdle("inner");
        assertBalanced();
    }

    @RepeatedTest(5)
    void concurrency_limit_shows_waiting_tasks_as_queued() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        TaskGroupOptions options = TaskGroupOptions.builder().maxConcurrency(2).build();
        try (TaskGroup group = this.factory.open("limited", options)) {
            for (int i = 0; i < 5; i++) {
                group.fork(() -> {
                    release.await();
                    return null;
                });
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(gauge(TaskGroupMeters.TASKS_ACTIVE, "limited")).isEqualTo(2);
                assertThat(gauge(TaskGroupMeters.TASKS_QUEUED, "limited")).isEqualTo(3);
            });
            assertThat(spawned("limited")).isEqualTo(5);
            release.countDown();
            group.join();
        }
        assertThat(taskCount("limited", "succeeded")).isEqualTo(5);
        assertIdle("limited");
        assertBalanced();
    }

    @Test
    void first_success_cancels_the_losers_with_reason_first_success() throws InterruptedException {
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch loserRunning = new CountDownLatch(1);
        TaskGroupOptions options =
                TaskGroupOptions.builder().policy(TaskGroupPolicy.FIRST_SUCCESS).build();
        this.factory.run("race", options, (group) -> {
            group.fork("loser", () -> {
                loserRunning.countDown();
                never.await();
                return null;
            });
            group.fork("winner", () -> {
                loserRunning.await();
                return "won";
            });
            group.join();
            return null;
        });
        assertThat(taskCount("race", "succeeded")).isEqualTo(1);
        assertThat(cancelled("race", "first-success")).isEqualTo(1);
        assertThat(groupCount("race", "succeeded")).isEqualTo(1);
        assertBalanced();
    }

    @Test
    void group_names_past_the_limit_are_tagged_other_with_one_warning() throws Exception {
        java.util.logging.Logger julLogger =
                java.util.logging.Logger.getLogger(TaskGroupMetricsListener.class.getName());
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                warnings.add(record.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        julLogger.addHandler(handler);
        try {
            tagsOtherPastTheLimit(warnings);
        } finally {
            julLogger.removeHandler(handler);
        }
    }

    private void tagsOtherPastTheLimit(List<String> warnings) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TaskGroupFactory limited = TaskGroupFactory.builder()
                .listener(new TaskGroupMetricsListener(registry, 2))
                .build()) {
            for (String name : List.of("a", "b", "c", "d", "a", "e")) {
                limited.run(name, (group) -> group.fork(() -> 1));
            }
        }
        assertThat(registry.find(TaskGroupMeters.TASKS_SPAWNED).counters())
                .extracting((counter) -> counter.getId().getTag(TaskGroupMeters.GROUP))
                .containsExactlyInAnyOrder("a", "b", "other");
        assertThat(registry.get(TaskGroupMeters.TASKS_SPAWNED)
                        .tag("group", "a")
                        .counter()
                        .count())
                .isEqualTo(2);
        assertThat(registry.get(TaskGroupMeters.TASKS_SPAWNED)
                        .tag("group", "other")
                        .counter()
                        .count())
                .isEqualTo(3);
        assertThat(registry.get(TaskGroupMeters.GROUP_DURATION)
                        .tag("group", "other")
                        .timer()
                        .count())
                .isEqualTo(3);
        assertThat(registry.get(TaskGroupMeters.GROUPS_ACTIVE)
                        .tag("group", "other")
                        .gauge()
                        .value())
                .isZero();
        assertThat(warnings)
                .as("one warning")
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("distinct task group names")
                .contains("group 'c'")
                .contains("taskgroup.metrics.max-group-names");
    }

    @Test
    void disconnected_requests_are_counted_by_action_with_the_bounded_group_tag() {
        TaskGroupMetricsListener listener = new TaskGroupMetricsListener(this.registry, 1);
        listener.requestDisconnected("GET /a", true);
        listener.requestDisconnected("GET /a", false);
        listener.requestDisconnected("GET /a", false);
        listener.requestDisconnected("GET /b", false); // past the limit of one name
        assertThat(disconnected("GET /a", TaskGroupMeters.ACTION_CANCELLED)).isEqualTo(1);
        assertThat(disconnected("GET /a", TaskGroupMeters.ACTION_IGNORED)).isEqualTo(2);
        assertThat(disconnected(TaskGroupMeters.OTHER_GROUPS, TaskGroupMeters.ACTION_IGNORED))
                .isEqualTo(1);
        assertThat(this.registry.get(TaskGroupMeters.REQUESTS_DISCONNECTED).counters())
                .allSatisfy((counter) ->
                        assertThat(counter.getId().getBaseUnit()).isEqualTo(TaskGroupMeters.UNIT_REQUESTS));
    }

    private double disconnected(String group, String action) {
        return this.registry
                .get(TaskGroupMeters.REQUESTS_DISCONNECTED)
                .tags(TaskGroupMeters.GROUP, group, TaskGroupMeters.ACTION, action)
                .counter()
                .count();
    }

    @Test
    void a_limit_below_one_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> new TaskGroupMetricsListener(this.registry, 0));
    }

    @Test
    void meters_carry_base_units_and_descriptions() throws InterruptedException {
        this.factory.run("units", (group) -> {
            group.fork(() -> 1);
            return null;
        });
        for (Meter meter : this.registry.getMeters()) {
            assertThat(meter.getId().getDescription())
                    .as(meter.getId().getName())
                    .isNotBlank();
        }
        assertThat(this.registry
                        .get(TaskGroupMeters.TASKS_SPAWNED)
                        .counter()
                        .getId()
                        .getBaseUnit())
                .isEqualTo("tasks");
        assertThat(this.registry
                        .get(TaskGroupMeters.TASKS_QUEUED)
                        .gauge()
                        .getId()
                        .getBaseUnit())
                .isEqualTo("tasks");
        assertThat(this.registry
                        .get(TaskGroupMeters.GROUPS_ACTIVE)
                        .gauge()
                        .getId()
                        .getBaseUnit())
                .isEqualTo("groups");
    }

    /** Many groups at once, each ending a random way; the counts must balance exactly afterwards. */
    @RepeatedTest(10)
    void counts_balance_under_concurrency() throws Exception {
        int groups = 20;
        List<Thread> owners = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        for (int g = 0; g < groups; g++) {
            int kind = g % 4;
            Thread owner = new Thread(() -> {
                try {
                    start.await();
                    runRandomGroup(kind);
                } catch (Exception expected) {
                    // failures and timeouts are part of the script
                }
            });
            owner.start();
            owners.add(owner);
        }
        start.countDown();
        for (Thread owner : owners) {
            owner.join(30_000);
            assertThat(owner.isAlive()).isFalse();
        }
        for (String name : List.of("mix-0", "mix-1", "mix-2", "mix-3")) {
            assertIdle(name);
        }
        assertBalanced();
        double cancelledCounted = this.registry.find(TaskGroupMeters.TASKS_CANCELLED).counters().stream()
                .mapToDouble(Counter::count)
                .sum();
        double cancelledTimed =
                this.registry.find(TaskGroupMeters.TASK_DURATION).tag("outcome", "cancelled").timers().stream()
                        .mapToLong(Timer::count)
                        .sum();
        assertThat(cancelledCounted).isEqualTo(cancelledTimed);
    }

    private void runRandomGroup(int kind) throws Exception {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        TaskGroupOptions.Builder options = TaskGroupOptions.builder().maxConcurrency(1 + random.nextInt(3));
        if (kind == 3) {
            options.timeout(Duration.ofMillis(1 + random.nextInt(20)));
        }
        this.factory.run("mix-" + kind, options.build(), (group) -> {
            int tasks = 1 + random.nextInt(8);
            for (int t = 0; t < tasks; t++) {
                int index = t;
                group.fork(() -> {
                    Thread.sleep(random.nextInt(3)); // the task's own "work"
                    if (kind == 1 && index == 2) {
                        throw new IllegalStateException("scripted failure");
                    }
                    return index;
                });
            }
            if (kind == 2 && random.nextBoolean()) {
                group.cancel();
            }
            group.join();
            return null;
        });
    }

    private double spawned(String group) {
        return this.registry
                .get(TaskGroupMeters.TASKS_SPAWNED)
                .tag(TaskGroupMeters.GROUP, group)
                .counter()
                .count();
    }

    private double cancelled(String group, String reason) {
        return this.registry
                .get(TaskGroupMeters.TASKS_CANCELLED)
                .tags(TaskGroupMeters.GROUP, group, TaskGroupMeters.REASON, reason)
                .counter()
                .count();
    }

    private long taskCount(String group, String outcome) {
        Timer timer = this.registry
                .find(TaskGroupMeters.TASK_DURATION)
                .tags(TaskGroupMeters.GROUP, group, TaskGroupMeters.OUTCOME, outcome)
                .timer();
        return (timer != null) ? timer.count() : 0;
    }

    private long groupCount(String group, String outcome) {
        return timer(TaskGroupMeters.GROUP_DURATION, group, outcome).count();
    }

    private Timer timer(String name, String group, String outcome) {
        return this.registry
                .get(name)
                .tags(TaskGroupMeters.GROUP, group, TaskGroupMeters.OUTCOME, outcome)
                .timer();
    }

    private double gauge(String name, String group) {
        Gauge gauge = this.registry.get(name).tag(TaskGroupMeters.GROUP, group).gauge();
        return gauge.value();
    }

    private void assertIdle(String group) {
        assertThat(gauge(TaskGroupMeters.TASKS_ACTIVE, group)).as("active").isZero();
        assertThat(gauge(TaskGroupMeters.TASKS_QUEUED, group)).as("queued").isZero();
        assertThat(gauge(TaskGroupMeters.GROUPS_ACTIVE, group))
                .as("groups active")
                .isZero();
    }

    /** spawned = succeeded + failed + cancelled, over every group tag. */
    private void assertBalanced() {
        double spawned = this.registry.find(TaskGroupMeters.TASKS_SPAWNED).counters().stream()
                .mapToDouble(Counter::count)
                .sum();
        long finished = this.registry.find(TaskGroupMeters.TASK_DURATION).timers().stream()
                .mapToLong(Timer::count)
                .sum();
        assertThat(finished).as("finished tasks").isEqualTo((long) spawned);
    }
}
