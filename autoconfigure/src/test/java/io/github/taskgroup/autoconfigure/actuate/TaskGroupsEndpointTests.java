package io.github.taskgroup.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupOptions;
import io.github.taskgroup.autoconfigure.actuate.TaskGroupsEndpoint.GroupDescriptor;
import io.github.taskgroup.autoconfigure.actuate.TaskGroupsEndpoint.TaskDescriptor;
import io.github.taskgroup.autoconfigure.actuate.TaskGroupsEndpoint.TaskGroupsDescriptor;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The operations of {@link TaskGroupsEndpoint}, called directly on a live factory.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TaskGroupsEndpointTests {

    private final TaskGroupFactory factory = TaskGroupFactory.builder().build();

    private final TaskGroupsEndpoint endpoint = new TaskGroupsEndpoint(this.factory);

    @AfterEach
    void closeFactory() {
        this.factory.close();
    }

    @Test
    void shows_the_live_tree_with_a_summary() throws Exception {
        CountDownLatch running = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        TaskGroupOptions limited = TaskGroupOptions.builder()
                .maxConcurrency(1)
                .timeout(Duration.ofMinutes(5))
                .build();
        try (TaskGroup outer = this.factory.open("outer")) {
            outer.fork(
                    "fan-out",
                    () -> this.factory.run("inner", limited, (inner) -> {
                        inner.fork("first", () -> {
                            running.countDown();
                            release.await();
                            return 1;
                        });
                        inner.fork("second", () -> 2); // queued behind the permit of "first"
                        inner.join();
                        return null;
                    }));
            outer.fork("parked", () -> {
                running.countDown();
                release.await();
                return 3;
            });
            running.await();
            // "second" is forked by the inner body after "first" may already run: wait until it is queued
            await().untilAsserted(() -> assertThat(this.endpoint.taskGroups().summary())
                    .isEqualTo(new TaskGroupsEndpoint.Summary(2, 3, 1)));

            TaskGroupsDescriptor tree = this.endpoint.taskGroups();
            assertThat(tree.summary()).isEqualTo(new TaskGroupsEndpoint.Summary(2, 3, 1));
            assertThat(tree.groups()).singleElement().satisfies((group) -> {
                assertThat(group.id()).isEqualTo(outer.id());
                assertThat(group.name()).isEqualTo("outer");
                assertThat(group.ownerThread()).isEqualTo(Thread.currentThread().getName());
                assertThat(group.state()).isEqualTo("open");
                assertThat(group.policy()).isEqualTo("fail-fast");
                assertThat(group.deadline()).isNull();
                assertThat(group.cancellationReason()).isNull();
                assertThat(Duration.parse(group.age()).isNegative()).isFalse();
                assertThat(group.tasks())
                        .extracting(TaskDescriptor::name)
                        .containsExactlyInAnyOrder("fan-out", "parked");
                assertThat(group.tasks()).extracting(TaskDescriptor::state).containsOnly("running");
                assertThat(group.tasks())
                        .allSatisfy((task) -> assertThat(task.thread()).isNotBlank());
                assertThat(group.groups()).singleElement().satisfies((inner) -> {
                    assertThat(inner.name()).isEqualTo("inner");
                    assertThat(inner.deadline()).isNotNull();
                    assertThat(inner.tasks())
                            .extracting(TaskDescriptor::name, TaskDescriptor::state)
                            .containsExactlyInAnyOrder(
                                    org.assertj.core.groups.Tuple.tuple("first", "running"),
                                    org.assertj.core.groups.Tuple.tuple("second", "pending"));
                    assertThat(inner.tasks())
                            .filteredOn((task) -> task.state().equals("pending"))
                            .singleElement()
                            .satisfies((task) -> assertThat(task.thread()).isNull());
                });
            });
            long innerId = tree.groups().get(0).groups().get(0).id();
            GroupDescriptor inner = this.endpoint.taskGroup(innerId);
            assertThat(inner.name()).isEqualTo("inner");
            release.countDown();
            outer.join();
        }
        assertThat(this.endpoint.taskGroups().groups()).isEmpty();
        assertThat(this.endpoint.taskGroups().summary()).isEqualTo(new TaskGroupsEndpoint.Summary(0, 0, 0));
    }

    @Test
    void cancels_one_group_with_reason_explicit() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        try (TaskGroup group = this.factory.open("victim")) {
            group.fork(() -> {
                running.countDown();
                never.await();
                return null;
            });
            running.await();
            assertThat(this.endpoint.cancel(group.id()))
                    .isEqualTo(new TaskGroupsEndpoint.CancelResult(group.id(), true, true));
            assertThat(group.cancellationReason()).contains(CancellationReason.EXPLICIT);
            assertThat(this.endpoint.cancel(group.id()).cancelled())
                    .as("already cancelled")
                    .isFalse();
            group.join();
        }
        assertThat(this.endpoint.cancel(424242)).isEqualTo(new TaskGroupsEndpoint.CancelResult(424242, false, false));
        assertThat(this.endpoint.taskGroup(424242)).isNull();
    }
}
