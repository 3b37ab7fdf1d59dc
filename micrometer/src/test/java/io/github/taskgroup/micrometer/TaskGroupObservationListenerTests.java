package io.github.taskgroup.micrometer;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupException;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupOptions;
import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.tck.TestObservationRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The observation tree of groups and tasks, checked with Micrometer's {@link TestObservationRegistry} (which
 * also validates that every observation is started, scoped and stopped in a legal order).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TaskGroupObservationListenerTests {

    private final TestObservationRegistry registry = TestObservationRegistry.create();

    /** Puts a fake trace id into the MDC while an observation is in scope, as Micrometer Tracing does. */
    private final ObservationHandler<Observation.Context> mdcHandler = new ObservationHandler<>() {

        @Override
        public void onScopeOpened(Observation.Context context) {
            MDC.put("traceId", context.getName() + ":" + System.identityHashCode(context));
        }

        @Override
        public void onScopeClosed(Observation.Context context) {
            MDC.remove("traceId");
        }

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }
    };

    private TaskGroupFactory factory = factory(null, null);

    @AfterEach
    void closeFactory() {
        this.factory.close();
    }

    private TaskGroupFactory factory(
            TaskGroupObservationConvention groupConvention, TaskObservationConvention taskConvention) {
        return TaskGroupFactory.builder()
                .listener(new TaskGroupObservationListener(this.registry, groupConvention, taskConvention))
                .build();
    }

    @Test
    void a_group_and_its_tasks_are_observed_with_the_group_as_parent() throws InterruptedException {
        Map<String, Observation> currentInTask = new ConcurrentHashMap<>();
        AtomicReference<Observation> currentOnOwner = new AtomicReference<>();
        this.factory.run("checkout", (group) -> {
            currentOnOwner.set(this.registry.getCurrentObservation());
            for (String name : List.of("price", "stock")) {
                group.fork(name, () -> currentInTask.put(name, this.registry.getCurrentObservation()));
            }
            group.join();
            return null;
        });
        assertThat(currentOnOwner.get())
                .as("no scope of the group left open on the owner thread")
                .isNull();
        assertThat(this.registry.getCurrentObservation()).isNull();
        assertThat(this.registry)
                .hasNumberOfObservationsWithNameEqualTo("taskgroup.group", 1)
                .hasNumberOfObservationsWithNameEqualTo("taskgroup.task", 2)
                .hasObservationWithNameEqualTo("taskgroup.group")
                .that()
                .hasBeenStarted()
                .hasBeenStopped()
                .hasContextualNameEqualTo("taskgroup checkout")
                .hasLowCardinalityKeyValue("group", "checkout")
                .hasLowCardinalityKeyValue("outcome", "succeeded")
                .hasLowCardinalityKeyValue("policy", "fail-fast")
                .hasLowCardinalityKeyValue("reason", "none")
                .hasHighCardinalityKeyValueWithKey("group.id")
                .doesNotHaveError();
        assertThat(this.registry)
                .forAllObservationsWithNameEqualTo(
                        "taskgroup.task",
                        (task) -> task.hasLowCardinalityKeyValue("group", "checkout")
                                .hasLowCardinalityKeyValue("outcome", "succeeded")
                                .hasLowCardinalityKeyValue("reason", "none")
                                .hasHighCardinalityKeyValueWithKey("task")
                                .doesNotHaveError());
        assertThat(this.registry).hasHandledContextsThatSatisfy((contexts) -> {
            Observation.Context group = single(contexts, "taskgroup.group");
            assertThat(group.getParentObservation()).isNull();
            List<Observation.Context> tasks = named(contexts, "taskgroup.task");
            assertThat(tasks).hasSize(2).allSatisfy((task) -> {
                assertThat(task.getParentObservation().getContextView()).isSameAs(group);
            });
        });
        // Inside each task its own observation was current.
        assertThat(currentInTask).containsOnlyKeys("price", "stock");
        assertThat(currentInTask.values()).allSatisfy((observation) -> {
            assertThat(observation.getContext().getName()).isEqualTo("taskgroup.task");
        });
    }

    @Test
    void a_group_opened_inside_an_observation_is_its_child_and_tasks_skip_the_restored_one() throws Exception {
        Observation request = Observation.start("http.server.requests", this.registry);
        request.scopedChecked(() -> this.factory.run("under-request", (group) -> {
            group.fork(() -> 1);
            group.join();
            return null;
        }));
        request.stop();
        assertThat(this.registry).hasHandledContextsThatSatisfy((contexts) -> {
            Observation.Context group = single(contexts, "taskgroup.group");
            assertThat(group.getParentObservation().getContextView()).isSameAs(request.getContext());
            Observation.Context task = single(contexts, "taskgroup.task");
            assertThat(task.getParentObservation().getContextView()).isSameAs(group);
        });
    }

    @Test
    void nested_groups_hang_under_the_task_that_opened_them() throws InterruptedException {
        this.factory.run("outer", (outer) -> {
            outer.fork(
                    "fan-out",
                    () -> this.factory.run("inner", (inner) -> {
                        inner.fork("leaf", () -> 1);
                        inner.join();
                        return null;
                    }));
            outer.join();
            return null;
        });
        assertThat(this.registry)
                .hasNumberOfObservationsWithNameEqualTo("taskgroup.group", 2)
                .hasNumberOfObservationsWithNameEqualTo("taskgroup.task", 2)
                .hasHandledContextsThatSatisfy((contexts) -> {
                    Observation.Context outer = byKey(contexts, "taskgroup.group", "group", "outer");
                    Observation.Context fanOut = byHighKey(contexts, "task", "fan-out");
                    Observation.Context inner = byKey(contexts, "taskgroup.group", "group", "inner");
                    Observation.Context leaf = byHighKey(contexts, "task", "leaf");
                    assertThat(fanOut.getParentObservation().getContextView()).isSameAs(outer);
                    assertThat(inner.getParentObservation().getContextView()).isSameAs(fanOut);
                    assertThat(leaf.getParentObservation().getContextView()).isSameAs(inner);
                });
    }

    @Test
    void a_failed_task_carries_its_error_and_the_cancelled_sibling_its_reason() {
        CountDownLatch siblingRunning = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        IllegalStateException boom = new IllegalStateException("boom");
        assertThatExceptionOfType(TaskGroupException.class)
                .isThrownBy(() -> this.factory.run("orders", (group) -> {
                    group.fork("slow", () -> {
                        siblingRunning.countDown();
                        never.await();
                        return null;
                    });
                    group.fork("broken", () -> {
                        siblingRunning.await();
                        throw boom;
                    });
                    group.join();
                    return null;
                }));
        assertThat(this.registry)
                .hasObservationWithNameEqualTo("taskgroup.group")
                .that()
                .hasLowCardinalityKeyValue("outcome", "failed")
                .hasLowCardinalityKeyValue("reason", "sibling-failure");
        assertThat(this.registry)
                .hasAnObservation((observation) -> observation
                        .hasNameEqualTo("taskgroup.task")
                        .hasHighCardinalityKeyValue("task", "broken")
                        .hasLowCardinalityKeyValue("outcome", "failed")
                        .hasError(boom));
        assertThat(this.registry)
                .hasAnObservation((observation) -> observation
                        .hasNameEqualTo("taskgroup.task")
                        .hasHighCardinalityKeyValue("task", "slow")
                        .hasLowCardinalityKeyValue("outcome", "cancelled")
                        .hasLowCardinalityKeyValue("reason", "sibling-failure")
                        .doesNotHaveError());
    }

    @Test
    void a_task_that_never_started_has_no_observation() throws Exception {
        try (TaskGroup group = this.factory.open("late")) {
            group.cancel();
            Task<Integer> task = group.fork(() -> 1);
            assertThat(task.state()).isEqualTo(Task.State.CANCELLED);
            group.join();
        }
        assertThat(this.registry)
                .hasNumberOfObservationsWithNameEqualTo("taskgroup.task", 0)
                .hasObservationWithNameEqualTo("taskgroup.group")
                .that()
                .hasLowCardinalityKeyValue("outcome", "cancelled")
                .hasLowCardinalityKeyValue("reason", "explicit");
    }

    @RepeatedTest(3)
    void log_lines_inside_a_task_carry_the_task_observation_and_the_thread_is_clean_afterwards() throws Exception {
        this.registry.observationConfig().observationHandler(this.mdcHandler);
        Map<String, String> traceIdInTask = new ConcurrentHashMap<>();
        AtomicReference<Thread> taskThread = new AtomicReference<>();
        this.factory.run("logged", (group) -> {
            group.fork("work", () -> {
                taskThread.set(Thread.currentThread());
                return traceIdInTask.put("work", String.valueOf(MDC.get("traceId")));
            });
            group.join();
            return null;
        });
        assertThat(traceIdInTask.get("work")).startsWith("taskgroup.task:");
        assertThat(MDC.get("traceId")).as("owner thread").isNull();
    }

    @Test
    void conventions_replace_the_naming() throws InterruptedException {
        this.factory.close();
        this.factory = factory(
                new DefaultTaskGroupObservationConvention() {
                    @Override
                    public String getName() {
                        return "custom.group";
                    }

                    @Override
                    public KeyValues getLowCardinalityKeyValues(TaskGroupObservationContext context) {
                        return super.getLowCardinalityKeyValues(context).and("team", "payments");
                    }
                },
                new TaskObservationConvention() {
                    @Override
                    public String getName() {
                        return "custom.task";
                    }

                    @Override
                    public String getContextualName(TaskObservationContext context) {
                        return context.getTask().group().name() + "/"
                                + context.getTask().name();
                    }
                });
        this.factory.run("pay", (group) -> {
            group.fork("charge", () -> 1);
            group.join();
            return null;
        });
        assertThat(this.registry)
                .hasNumberOfObservationsWithNameEqualTo("taskgroup.group", 0)
                .hasNumberOfObservationsWithNameEqualTo("taskgroup.task", 0)
                .hasObservationWithNameEqualTo("custom.group")
                .that()
                .hasLowCardinalityKeyValue("team", "payments")
                .hasLowCardinalityKeyValue("group", "pay")
                .backToTestObservationRegistry()
                .hasObservationWithNameEqualTo("custom.task")
                .that()
                .hasContextualNameEqualTo("pay/charge");
    }

    @Test
    void the_attributes_of_a_group_are_high_cardinality_key_values_of_its_observation() throws InterruptedException {
        TaskGroupOptions options = TaskGroupOptions.builder()
                .attribute("taskgroup.received-timeout-ms", "1991")
                .attribute("taskgroup.received-timeout-outcome", "adopted")
                .attribute("group.id", "not-the-id")
                .build();
        long[] id = new long[1];
        this.factory.run("GET /orders", options, (group) -> {
            id[0] = group.id();
            group.fork("load", () -> 1);
            group.join();
            return null;
        });
        this.factory.run("plain", (group) -> null);
        assertThat(this.registry).hasHandledContextsThatSatisfy((contexts) -> {
            Observation.Context orders = byKey(contexts, "taskgroup.group", "group", "GET /orders");
            assertThat(orders.getHighCardinalityKeyValues())
                    .containsExactlyInAnyOrder(
                            KeyValue.of("taskgroup.received-timeout-ms", "1991"),
                            KeyValue.of("taskgroup.received-timeout-outcome", "adopted"),
                            KeyValue.of("group.id", Long.toString(id[0])));
            assertThat(orders.getLowCardinalityKeyValues())
                    .extracting(KeyValue::getKey)
                    .doesNotContain("taskgroup.received-timeout-ms");
            Observation.Context plain = byKey(contexts, "taskgroup.group", "group", "plain");
            assertThat(plain.getHighCardinalityKeyValues())
                    .extracting(KeyValue::getKey)
                    .containsExactly("group.id");
            // The task's observation does not repeat its group's attributes.
            Observation.Context task = single(contexts, "taskgroup.task");
            assertThat(task.getHighCardinalityKeyValues())
                    .extracting(KeyValue::getKey)
                    .containsExactlyInAnyOrder("task", "group.id");
        });
    }

    private static List<Observation.Context> named(List<Observation.Context> contexts, String name) {
        return contexts.stream()
                .filter((context) -> name.equals(context.getName()))
                .toList();
    }

    private static Observation.Context single(List<Observation.Context> contexts, String name) {
        List<Observation.Context> named = named(contexts, name);
        assertThat(named).hasSize(1);
        return named.get(0);
    }

    private static Observation.Context byKey(
            List<Observation.Context> contexts, String name, String key, String value) {
        return named(contexts, name).stream()
                .filter((context) ->
                        value.equals(context.getLowCardinalityKeyValue(key).getValue()))
                .findFirst()
                .orElseThrow();
    }

    private static Observation.Context byHighKey(List<Observation.Context> contexts, String key, String value) {
        return named(contexts, "taskgroup.task").stream()
                .filter((context) ->
                        value.equals(context.getHighCardinalityKeyValue(key).getValue()))
                .findFirst()
                .orElseThrow();
    }
}
