package io.github.taskgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Clause 10 (a rejecting executor) and clause 15 (memory of a long-lived group). */
class BoundsAndRejectionTest {

    private final ExecutorService pool = TaskGroupExecutors.platformThreads("bounds-");
    private final RecordingListener events = new RecordingListener();

    @AfterEach
    void tearDown() throws InterruptedException {
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(events.forked.get())
                .isEqualTo(events.succeeded.get() + events.failed.get() + events.cancelled.get());
        assertThat(events.violations).as("listener contract").isEmpty();
    }

    /** Accepts the first {@code accepted} tasks, then rejects every other. */
    private Executor rejectingAfter(int accepted) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            if (count.incrementAndGet() > accepted) {
                throw new RejectedExecutionException("saturated");
            }
            pool.execute(task);
        };
    }

    @RepeatedTest(5)
    void aRejectedTaskFailsWithTheRejectionAndFailFastCancelsTheOthers() throws Exception {
        TaskGroupFactory factory = TaskGroupFactory.builder()
                .executor(rejectingAfter(1))
                .listener(events)
                .build();
        TaskGroup group = factory.open("g");
        Task<Void> accepted = group.fork("accepted", TaskGroupContract::park);
        Task<Void> rejected = group.fork("rejected", () -> null);
        Throwable thrown = catchThrowable(group::join);
        group.close();
        assertThat(thrown)
                .isInstanceOf(TaskGroupException.class)
                .hasCauseInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("task 'rejected' threw");
        assertThat(rejected.state()).isEqualTo(Task.State.FAILED);
        assertThat(rejected.exception()).isInstanceOf(RejectedExecutionException.class);
        assertThat(accepted.state()).isEqualTo(Task.State.CANCELLED);
    }

    @Test
    void rejectionsOfManyQueuedTasksNeitherHangNorOverflowTheStack() throws Exception {
        TaskGroupFactory factory = TaskGroupFactory.builder()
                .executor(rejectingAfter(1))
                .listener(events)
                .build();
        CountDownLatch release = new CountDownLatch(1);
        TaskGroup group = factory.open(
                "g",
                TaskGroupOptions.builder()
                        .maxConcurrency(1)
                        .policy(TaskGroupPolicy.SUPERVISE)
                        .build());
        group.fork("first", () -> release.await(10, TimeUnit.SECONDS));
        for (int i = 0; i < 20_000; i++) {
            group.fork(() -> null); // queued behind "first"; each is rejected when its turn comes
        }
        release.countDown();
        TaskGroupException thrown = (TaskGroupException) catchThrowable(group::join);
        group.close();
        assertThat(thrown.failures()).hasSize(TaskGroupException.MAX_RECORDED_FAILURES);
        assertThat(thrown.omittedFailures()).isEqualTo(20_000 - TaskGroupException.MAX_RECORDED_FAILURES);
        assertThat(thrown).hasMessageContaining("and 19900 more not recorded");
        assertThat(events.failed).hasValue(20_000);
    }

    @Test
    void aLongLivedSupervisorHoldsNeitherFinishedTasksNorReportedFailures() throws Exception {
        TaskGroupFactory factory =
                TaskGroupFactory.builder().executor(pool).listener(events).build();
        try (TaskGroup supervisor = factory.open(
                "supervisor",
                TaskGroupOptions.builder().policy(TaskGroupPolicy.SUPERVISE).build())) {
            byte[][] payload = {new byte[1 << 20]};
            Task<byte[]> first = supervisor.fork(() -> payload[0]);
            WeakReference<Task<byte[]>> firstRef = new WeakReference<>(first);
            WeakReference<byte[]> payloadRef = new WeakReference<>(payload[0]);
            first.get();
            first = null;
            payload[0] = null;
            for (int i = 0; i < 5_000; i++) {
                supervisor.fork(() -> {
                    throw new IllegalStateException("boom");
                });
            }
            Throwable reported = catchThrowable(supervisor::join);
            assertThat(((TaskGroupException) reported).failures()).hasSize(TaskGroupException.MAX_RECORDED_FAILURES);
            reported = null;
            // The group only holds live tasks: the finished one (and what it returned) can be collected.
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                System.gc();
                return firstRef.get() == null && payloadRef.get() == null;
            });
            assertThat(factory.liveGroups())
                    .singleElement()
                    .satisfies(snapshot -> assertThat(snapshot.tasks()).isEmpty());
            // Reported failures are forgotten: the next join has nothing to say.
            supervisor.join();
        }
    }
}
