package io.github.taskgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * {@link CurrentTaskGroup#onCancel}: an action that aborts a blocking call an interrupt does not stop. The
 * "call" here is an uninterruptible wait that only the action ends, as a socket read on a platform thread.
 */
class OnCancelTest {

    private final ExecutorService pool = TaskGroupExecutors.platformThreads("on-cancel-");
    private final TaskGroupFactory factory =
            TaskGroupFactory.builder().executor(pool).build();

    @AfterEach
    void tearDown() throws Exception {
        factory.close();
        pool.shutdown();
    }

    /** A blocking call that ignores interrupts and ends only when aborted, as a socket read does. */
    private static final class Call {
        final CountDownLatch registered = new CountDownLatch(1);
        final CountDownLatch aborted = new CountDownLatch(1);
        final AtomicInteger aborts = new AtomicInteger();
        final AtomicReference<Thread> abortedOn = new AtomicReference<>();

        void abort() {
            aborts.incrementAndGet();
            abortedOn.set(Thread.currentThread());
            aborted.countDown();
        }

        /** Registers the abort, waits uninterruptibly until it comes, and fails as an aborted call does. */
        Void run() throws InterruptedIOException {
            try (CurrentTaskGroup.CancelRegistration registration = CurrentTaskGroup.onCancel(this::abort)) {
                registered.countDown();
                awaitUninterruptibly(aborted);
                assertThat(registration.ran()).isTrue();
            }
            throw new InterruptedIOException("call aborted");
        }
    }

    static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void outsideAnyGroupTheActionNeverRunsAndTheRegistrationClosesQuietly() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CurrentTaskGroup.CancelRegistration registration = CurrentTaskGroup.onCancel(runs::incrementAndGet);
        registration.close();
        registration.close();
        assertThat(registration.ran()).isFalse();
        assertThat(runs).hasValue(0);
    }

    @Test
    void aNullActionIsRejected() throws Exception {
        assertThatNullPointerException()
                .isThrownBy(() -> CurrentTaskGroup.onCancel(null))
                .withMessage("action");
    }

    @Test
    void cancellingTheGroupAbortsTheCallOnceAndTheTaskEndsCancelledNotFailed() throws Exception {
        Call call = new Call();
        Task<Void> task;
        try (TaskGroup group = factory.open("g")) {
            task = group.fork(call::run);
            call.registered.await();
            group.cancel();
            group.join();
        }
        assertThat(task.state()).isEqualTo(Task.State.CANCELLED);
        assertThat(task.cancellationReason()).isEqualTo(CancellationReason.EXPLICIT);
        assertThat(call.aborts).hasValue(1);
        assertThat(call.abortedOn.get()).isSameAs(Thread.currentThread()); // the canceller runs it
    }

    @Test
    void theGroupsDeadlineAbortsTheCall() throws Exception {
        Call call = new Call();
        Task<Void> task;
        try (TaskGroup group = factory.open(
                "g", TaskGroupOptions.builder().timeout(Duration.ofMillis(50)).build())) {
            task = group.fork(call::run);
            assertThatThrownBy(group::join).isInstanceOf(TaskGroupTimeoutException.class);
        }
        assertThat(task.state()).isEqualTo(Task.State.CANCELLED);
        assertThat(task.cancellationReason()).isEqualTo(CancellationReason.TIMEOUT);
        assertThat(call.aborts).hasValue(1);
    }

    @Test
    void cancellingOneTaskAbortsItsCallOnlyAndTheGroupGoesOn() throws Exception {
        Call cancelled = new Call();
        Call other = new Call();
        try (TaskGroup group = factory.open("g")) {
            Task<Void> first = group.fork(cancelled::run);
            Task<Void> second = group.fork(other::run);
            cancelled.registered.await();
            other.registered.await();

            assertThat(first.cancel()).isTrue();
            await().until(() -> first.state().isDone());
            assertThat(first.state()).isEqualTo(Task.State.CANCELLED);
            assertThat(cancelled.aborts).hasValue(1);
            assertThat(other.aborts).hasValue(0);
            assertThat(group.cancellationReason()).isEmpty();

            group.cancel(); // the second one, through the group
            group.join();
            assertThat(second.state()).isEqualTo(Task.State.CANCELLED);
            assertThat(other.aborts).hasValue(1);
            assertThat(cancelled.aborts).hasValue(1);
        }
    }

    @Test
    void aClosedRegistrationDoesNotRun() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        try (TaskGroup group = factory.open("g")) {
            CurrentTaskGroup.CancelRegistration registration = CurrentTaskGroup.onCancel(runs::incrementAndGet);
            registration.close();
            group.cancel();
            group.join();
            assertThat(registration.ran()).isFalse();
        }
        assertThat(runs).hasValue(0);
    }

    @Test
    void aRegistrationMadeOnceTheGroupIsCancelledRunsAtOnceOnTheCallingThread() throws Exception {
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        try (TaskGroup group = factory.open("g")) {
            group.cancel();
            CurrentTaskGroup.CancelRegistration registration =
                    CurrentTaskGroup.onCancel(() -> ranOn.set(Thread.currentThread()));
            assertThat(ranOn.get()).isSameAs(Thread.currentThread());
            assertThat(registration.ran()).isTrue();
            registration.close();
            group.join();
        }
    }

    @Test
    void aTaskAlreadyCancelledWhenItRegistersRunsTheActionAtOnce() throws Exception {
        CountDownLatch cancelled = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        try (TaskGroup group = factory.open("g")) {
            Task<Boolean> task = group.fork(() -> {
                awaitUninterruptibly(cancelled); // keeps the interrupt, as a call that ignores it
                try (CurrentTaskGroup.CancelRegistration registration =
                        CurrentTaskGroup.onCancel(runs::incrementAndGet)) {
                    return registration.ran();
                }
            });
            await().until(() -> task.state() == Task.State.RUNNING);
            task.cancel();
            cancelled.countDown();
            await().until(() -> task.state().isDone());
            group.join();
        }
        assertThat(runs).hasValue(1);
    }

    @Test
    void aRequestThreadBoundToARootGroupHasItsActionRunWhenThatGroupIsCancelled() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        TaskGroup request = factory.openRoot("request", TaskGroupOptions.defaults());
        try (CurrentTaskGroup.Binding binding = CurrentTaskGroup.bind(request)) {
            CurrentTaskGroup.CancelRegistration registration = CurrentTaskGroup.onCancel(runs::incrementAndGet);
            request.cancel(CancellationReason.REQUEST_ABORTED);
            assertThat(registration.ran()).isTrue();
            request.cancel(); // cancelling again runs nothing again
        }
        request.close();
        assertThat(runs).hasValue(1);
    }

    @Test
    void anEnclosingGroupsCancellationReachesAnActionRegisteredInANestedGroup() throws Exception {
        Call call = new Call();
        Task<Void> outerTask;
        try (TaskGroup outer = factory.open("outer")) {
            outerTask = outer.fork(() -> {
                try (TaskGroup inner = factory.open("inner")) {
                    inner.fork(call::run);
                    inner.join();
                }
                // Waits for its own interrupt: returning now could beat the sweep that cancels this task after
                // the nested groups (it would then end SUCCEEDED, a race this test is not about).
                new CountDownLatch(1).await();
                return null;
            });
            call.registered.await();
            outer.cancel();
            outer.join();
        }
        assertThat(call.aborts).hasValue(1);
        assertThat(outerTask.state()).isEqualTo(Task.State.CANCELLED);
    }

    @Test
    void cancellingATaskAloneRunsTheActionsRegisteredInTheGroupItsThreadOwns() throws Exception {
        Call call = new Call();
        AtomicReference<TaskGroup> inner = new AtomicReference<>();
        CountDownLatch siblingRelease = new CountDownLatch(1);
        try (TaskGroup outer = factory.open("outer")) {
            // The task's own thread owns 'inner' and calls from the owner's side: its current group is 'inner'.
            Task<Void> task = outer.fork("owner", () -> {
                try (TaskGroup opened = factory.open("inner")) {
                    inner.set(opened);
                    return call.run();
                }
            });
            Task<String> sibling = outer.fork("sibling", () -> {
                siblingRelease.await();
                return "done";
            });
            call.registered.await();
            try {
                assertThat(task.cancel()).isTrue();
                await().until(() -> task.state().isDone());
                assertThat(call.aborts).hasValue(1);
                assertThat(call.abortedOn.get()).isSameAs(Thread.currentThread()); // the cancelling thread
                assertThat(task.state()).isEqualTo(Task.State.CANCELLED);
                assertThat(task.cancellationReason()).isEqualTo(CancellationReason.EXPLICIT);
                assertThat(inner.get().cancellationReason()).contains(CancellationReason.PARENT);
                assertThat(outer.cancellationReason()).isEmpty(); // the group goes on
            } finally {
                call.aborted.countDown(); // a failed check must not leave the call blocked forever
                siblingRelease.countDown();
            }
            outer.join();
            assertThat(sibling.get()).isEqualTo("done");
        }
    }

    @Test
    void cancellingATaskAloneCancelsTheTasksOfItsNestedGroupWhileItsThreadIsStillBusy() throws Exception {
        CountDownLatch innerStarted = new CountDownLatch(1);
        CountDownLatch ownerBusy = new CountDownLatch(1);
        CountDownLatch ownerMayGoOn = new CountDownLatch(1);
        AtomicReference<Task<Void>> innerTask = new AtomicReference<>();
        AtomicReference<TaskGroup> inner = new AtomicReference<>();
        AtomicReference<Throwable> innerJoin = new AtomicReference<>();
        try (TaskGroup outer = factory.open("outer")) {
            Task<Void> task = outer.fork("owner", () -> {
                try (TaskGroup opened = factory.open("inner")) {
                    inner.set(opened);
                    innerTask.set(opened.fork("waits", () -> {
                        innerStarted.countDown();
                        new CountDownLatch(1).await(); // until it is interrupted
                        return null;
                    }));
                    innerStarted.await();
                    ownerBusy.countDown();
                    awaitUninterruptibly(ownerMayGoOn); // work that ignores the interrupt, outside join()
                    try {
                        opened.join();
                    } catch (Throwable e) {
                        innerJoin.set(e);
                        throw e;
                    }
                }
                return null;
            });
            ownerBusy.await();

            try {
                task.cancel();
                // The nested group's task is cancelled now, not when the owner thread gets back to join().
                await().until(() -> innerTask.get().state().isDone());
                assertThat(innerTask.get().state()).isEqualTo(Task.State.CANCELLED);
                assertThat(inner.get().cancellationReason()).contains(CancellationReason.PARENT);
                assertThat(task.state()).isEqualTo(Task.State.RUNNING);
            } finally {
                ownerMayGoOn.countDown();
            }
            outer.join();
            assertThat(task.state()).isEqualTo(Task.State.CANCELLED);
            assertThat(innerJoin.get()).isInstanceOf(java.util.concurrent.CancellationException.class);
            assertThat(outer.cancellationReason()).isEmpty();
        }
    }

    @Test
    void aGroupOpenedByATaskThatWentOnAfterItsCancellationOpensCancelled() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Object> seen = new AtomicReference<>();
        AtomicInteger runs = new AtomicInteger();
        try (TaskGroup outer = factory.open("outer")) {
            Task<Void> task = outer.fork("stubborn", () -> {
                try {
                    started.countDown();
                    new CountDownLatch(1).await();
                } catch (InterruptedException swallowed) {
                    // goes on, interrupt status cleared
                }
                try (TaskGroup late = factory.open("late")) {
                    seen.set(late.cancellationReason());
                    try (CurrentTaskGroup.CancelRegistration registration =
                            CurrentTaskGroup.onCancel(runs::incrementAndGet)) {
                        assertThat(registration.ran()).isTrue();
                    }
                    late.join();
                }
                return null;
            });
            started.await();
            task.cancel();
            outer.join();
            assertThat(task.state()).isEqualTo(Task.State.CANCELLED);
        }
        assertThat(seen.get()).isEqualTo(java.util.Optional.of(CancellationReason.PARENT));
        assertThat(runs).hasValue(1);
    }

    @RepeatedTest(300)
    void aNestedGroupOpeningWhileItsTaskIsCancelledRunsTheOwnersActionExactlyOnce() throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        Call call = new Call();
        try (TaskGroup group = factory.open("g")) {
            Task<Void> task = group.fork(() -> {
                start.await();
                try (TaskGroup inner = factory.open("inner")) {
                    return call.run();
                }
            });
            start.await();
            task.cancel();
            try {
                await().until(() -> task.state().isDone());
            } finally {
                call.aborted.countDown(); // a failed wait must not leave the call blocked forever
            }
            assertThat(task.state()).isEqualTo(Task.State.CANCELLED);
            assertThat(call.aborts).hasValue(1);
            assertThat(group.cancellationReason()).isEmpty();
            group.join();
        }
    }

    @Test
    void aThrowingActionIsIgnoredTheOtherActionsRunAndTheGroupEndsCancelled() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        Call call = new Call();
        Task<Void> task;
        try (TaskGroup group = factory.open("g")) {
            CurrentTaskGroup.onCancel(() -> {
                ran.add("throwing");
                throw new IllegalStateException("hostile action");
            });
            CurrentTaskGroup.onCancel(() -> ran.add("second"));
            task = group.fork(call::run);
            call.registered.await();
            group.cancel();
            group.join();
            assertThat(group.cancellationReason()).isPresent();
        }
        assertThat(ran).containsExactlyInAnyOrder("throwing", "second");
        assertThat(call.aborts).hasValue(1);
        assertThat(task.state()).isEqualTo(Task.State.CANCELLED);
    }

    @Test
    void aFatalErrorOfAnActionRunAtOnceIsRethrownToTheRegistrant() throws Exception {
        try (TaskGroup group = factory.open("g")) {
            group.cancel();
            assertThatThrownBy(() -> CurrentTaskGroup.onCancel(() -> {
                        throw new OutOfMemoryError("hostile action");
                    }))
                    .isInstanceOf(OutOfMemoryError.class)
                    .hasMessage("hostile action");
            group.join();
        }
    }

    @Test
    void anActionMayCloseItselfCancelAgainOrRegisterAnotherWithoutDeadlock() throws Exception {
        AtomicInteger nested = new AtomicInteger();
        AtomicReference<CurrentTaskGroup.CancelRegistration> self = new AtomicReference<>();
        try (TaskGroup group = factory.open("g")) {
            self.set(CurrentTaskGroup.onCancel(() -> {
                self.get().close();
                assertThat(group.cancel()).isFalse();
                // the canceller's current group is the cancelled one: this runs at once, inside this action
                CurrentTaskGroup.onCancel(nested::incrementAndGet).close();
            }));
            group.cancel();
            group.join();
        }
        assertThat(self.get().ran()).isTrue();
        assertThat(nested).hasValue(1);
    }

    @RepeatedTest(300)
    void aRegistrationRacingTheGroupsCancellationRunsItsActionExactlyOnce() throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        Call call = new Call();
        Task<Void> task;
        try (TaskGroup group = factory.open("g")) {
            task = group.fork(() -> {
                start.await();
                return call.run();
            });
            start.await();
            group.cancel();
            group.join();
        }
        assertThat(call.aborts).hasValue(1);
        assertThat(task.state()).isEqualTo(Task.State.CANCELLED);
    }

    @RepeatedTest(300)
    void aRegistrationRacingItsTasksCancellationRunsItsActionExactlyOnce() throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        Call call = new Call();
        try (TaskGroup group = factory.open("g")) {
            Task<Void> task = group.fork(() -> {
                start.await();
                return call.run();
            });
            start.await();
            task.cancel();
            await().until(() -> task.state().isDone());
            assertThat(task.state()).isEqualTo(Task.State.CANCELLED);
            assertThat(call.aborts).hasValue(1);
            assertThat(group.cancellationReason()).isEmpty();
            group.join();
        }
    }
}
