package io.github.taskgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;

/** Thread binding: which group a newly opened group becomes a child of. */
class CurrentTaskGroupTest {

    private final ExecutorService pool = TaskGroupExecutors.platformThreads("binding-");
    private final TaskGroupFactory factory =
            TaskGroupFactory.builder().executor(pool).build();

    @AfterEach
    void tearDown() {
        factory.close();
        pool.shutdown();
    }

    @Test
    void anOpenedGroupIsTheThreadsCurrentGroupUntilItCloses() {
        assertThat(CurrentTaskGroup.get()).isEmpty();
        try (TaskGroup outer = factory.open("outer")) {
            assertThat(CurrentTaskGroup.get()).containsSame(outer);
            try (TaskGroup inner = factory.open("inner")) {
                assertThat(CurrentTaskGroup.get()).containsSame(inner);
            }
            assertThat(CurrentTaskGroup.get()).containsSame(outer);
        }
        assertThat(CurrentTaskGroup.get()).isEmpty();
    }

    @Test
    void aTaskSeesItsOwnGroupAsCurrent() throws Exception {
        try (TaskGroup group = factory.open("g")) {
            Task<TaskGroup> seen = group.fork(() -> CurrentTaskGroup.get().orElseThrow());
            group.join();
            assertThat(seen.get()).isSameAs(group);
        }
    }

    @Test
    @EnabledForJreRange(minVersion = 25)
    void onJdk25AndLaterTasksAreBoundWithAScopedValueNotAThreadLocal() {
        assertThat(RunningTask.usesScopedValue()).isTrue();
    }

    @Test
    void aRootGroupDoesNotBecomeTheParentOfGroupsTheThreadOpensLater() {
        TaskGroup request = factory.openRoot("request", TaskGroupOptions.defaults());
        try (TaskGroup unrelated = factory.open("unrelated")) {
            assertThat(factory.liveGroups())
                    .extracting(TaskGroupSnapshot::name)
                    .containsExactly("request", "unrelated");
        }
        request.close();
    }

    @Test
    void aBoundRootGroupAdoptsTheGroupsOpenedWhileBoundAndItsCancellationReachesThem() throws Exception {
        TaskGroup request = factory.openRoot("request", TaskGroupOptions.defaults());
        CountDownLatch started = new CountDownLatch(1);
        try (CurrentTaskGroup.Binding binding = CurrentTaskGroup.bind(request)) {
            try (TaskGroup nested = factory.open("service-call")) {
                assertThat(factory.liveGroups())
                        .singleElement()
                        .satisfies(root -> assertThat(root.groups())
                                .extracting(TaskGroupSnapshot::name)
                                .containsExactly("service-call"));
                Task<Void> parked = nested.fork(() -> {
                    started.countDown();
                    new CountDownLatch(1).await();
                    return null;
                });
                started.await();
                request.cancel(CancellationReason.REQUEST_ABORTED);
                assertThatThrownBy(nested::join)
                        .isInstanceOf(CancellationException.class)
                        .hasMessageContaining("request-aborted");
                assertThat(parked.cancellationReason()).isEqualTo(CancellationReason.REQUEST_ABORTED);
            }
        }
        assertThat(CurrentTaskGroup.get()).isEmpty();
        request.close();
    }

    @Test
    void aBindingMustBeClosedOnItsOwnThread() throws Exception {
        TaskGroup request = factory.openRoot("request", TaskGroupOptions.defaults());
        CurrentTaskGroup.Binding binding = CurrentTaskGroup.bind(request);
        Thread other = new Thread(() -> assertThatThrownBy(binding::close).isInstanceOf(IllegalStateException.class));
        other.start();
        other.join();
        binding.close();
        request.close();
    }
}
