package io.github.taskgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * The semantics of the issue, clause by clause, run once per executor kind by the subclasses. Nothing here
 * waits with sleep: tasks that must "run for a long time" park on a latch that is never released, and are
 * ended by cancellation.
 */
abstract class TaskGroupContract {

    /** Parks until interrupted: the work of a task that only cancellation ends. */
    static final CountDownLatch NEVER = new CountDownLatch(1);

    ExecutorService executor;
    RecordingListener events;
    TaskGroupFactory factory;

    abstract ExecutorService newExecutor();

    @BeforeEach
    void setUp() {
        executor = newExecutor();
        events = new RecordingListener();
        factory = TaskGroupFactory.builder().executor(executor).listener(events).build();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        // A group left open by a failed test would adopt the next test's groups: report it, then unbind it.
        java.util.Optional<TaskGroup> leftOpen = CurrentTaskGroup.get();
        DefaultTaskGroup.leaveTask(null);
        assertThat(leftOpen).as("group left open on the test thread").isEmpty();
        factory.close();
        executor.shutdown();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS))
                .as("task threads all finished")
                .isTrue();
        assertThat(events.forked.get())
                .as("listener counts balance")
                .isEqualTo(events.succeeded.get() + events.failed.get() + events.cancelled.get());
        assertThat(events.violations).as("listener contract").isEmpty();
    }

    static Void park() throws InterruptedException {
        NEVER.await();
        return null;
    }

    @Nested
    @DisplayName("1. join waits for every task")
    class JoinWaits {

        @Test
        void joinReturnsOnlyWhenEveryTaskIsDoneAndResultsAreReadable() throws Exception {
            CountDownLatch release = new CountDownLatch(1);
            try (TaskGroup group = factory.open("g")) {
                Task<Integer> a = group.fork(() -> {
                    release.await();
                    return 1;
                });
                Task<Integer> b = group.fork("b", () -> 2);
                assertThat(a.state()).isIn(Task.State.PENDING, Task.State.RUNNING);
                release.countDown();
                group.join();
                assertThat(a.state()).isEqualTo(Task.State.SUCCEEDED);
                assertThat(a.get() + b.get()).isEqualTo(3);
                assertThat(a.name()).isEqualTo("task-1");
                assertThat(b.name()).isEqualTo("b");
            }
        }

        @Test
        void joinAlsoWaitsForTasksThatChildrenForkWhileTheOwnerWaits() throws Exception {
            AtomicReference<Task<String>> grandchild = new AtomicReference<>();
            CountDownLatch release = new CountDownLatch(1);
            try (TaskGroup group = factory.open("g")) {
                group.fork(() -> {
                    grandchild.set(group.fork("late", () -> {
                        release.await();
                        return "late";
                    }));
                    return null;
                });
                Task<Void> releaser = group.fork(() -> {
                    await().until(() -> grandchild.get() != null);
                    release.countDown();
                    return null;
                });
                group.join();
                assertThat(releaser.state()).isEqualTo(Task.State.SUCCEEDED);
                assertThat(grandchild.get().state()).isEqualTo(Task.State.SUCCEEDED);
                assertThat(grandchild.get().get()).isEqualTo("late");
            }
        }

        @RepeatedTest(5)
        void aTimedJoinReturnsFalseWithoutCancellingWhenTimeIsUpAndTrueOnceAllFinished() throws Exception {
            CountDownLatch release = new CountDownLatch(1);
            try (TaskGroup group = factory.open("g")) {
                Task<String> slow = group.fork(() -> {
                    release.await();
                    return "slow";
                });
                assertThat(group.join(Duration.ofMillis(20))).isFalse();
                assertThat(group.cancellationReason()).isEmpty();
                assertThat(slow.state()).isIn(Task.State.PENDING, Task.State.RUNNING);
                assertThat(group.state()).isEqualTo(TaskGroup.State.OPEN);
                release.countDown();
                assertThat(group.join(Duration.ofSeconds(30))).isTrue();
                assertThat(slow.get()).isEqualTo("slow");
            }
        }

        @RepeatedTest(5)
        void aTimedJoinReportsFailuresLikeJoin() {
            IllegalStateException boom = new IllegalStateException("boom");
            TaskGroup group = factory.open("g");
            group.fork(() -> {
                throw boom;
            });
            assertThatThrownBy(() -> group.join(Duration.ofSeconds(30)))
                    .isInstanceOf(TaskGroupException.class)
                    .hasCause(boom);
            group.close();
        }

        @Test
        void getBlocksUntilTheTaskIsDone() throws Exception {
            CountDownLatch release = new CountDownLatch(1);
            try (TaskGroup group = factory.open("g")) {
                Task<String> slow = group.fork(() -> {
                    release.await();
                    return "done";
                });
                group.fork(() -> {
                    release.countDown();
                    return null;
                });
                assertThat(slow.get()).isEqualTo("done");
                group.join();
            }
        }

        @Test
        void getOfAFailedTaskThrowsAnUncheckedExceptionWhoseCauseIsTheFailure() throws Exception {
            IOException boom = new IOException("boom");
            TaskGroup group = factory.open(
                    "g",
                    TaskGroupOptions.builder().policy(TaskGroupPolicy.SUPERVISE).build());
            Task<Object> failing = group.fork("f", () -> {
                throw boom;
            });
            assertThatThrownBy(group::join).isInstanceOf(TaskGroupException.class);
            group.close();
            assertThatThrownBy(failing::get)
                    .isInstanceOf(CompletionException.class)
                    .hasCause(boom)
                    .hasMessageContaining("task 'f' of group 'g'");
            assertThat(failing.state()).isEqualTo(Task.State.FAILED);
            assertThat(failing.exception()).isSameAs(boom);
        }

        @Test
        void getOfACancelledTaskThrowsCancellationException() throws Exception {
            try (TaskGroup group = factory.open("g")) {
                Task<Void> parked = group.fork(TaskGroupContract::park);
                assertThat(parked.cancel()).isTrue();
                assertThatThrownBy(parked::get).isInstanceOf(CancellationException.class);
                group.join();
                assertThat(parked.state()).isEqualTo(Task.State.CANCELLED);
                assertThat(parked.cancellationReason()).isEqualTo(CancellationReason.EXPLICIT);
            }
        }
    }

    @Nested
    @DisplayName("2. fail-fast")
    class FailFast {

        @RepeatedTest(20)
        void theFirstFailureCancelsRunningAndQueuedSiblingsAndJoinReportsIt() throws Exception {
            CountDownLatch running = new CountDownLatch(1);
            AtomicBoolean queuedRan = new AtomicBoolean();
            IllegalStateException boom = new IllegalStateException("boom");
            TaskGroup group = factory.open(
                    "g", TaskGroupOptions.builder().maxConcurrency(2).build());
            Task<Void> sibling = group.fork("sibling", () -> {
                running.countDown();
                return park();
            });
            Task<Void> failing = group.fork("failing", () -> {
                running.await();
                throw boom;
            });
            Task<Void> queued = group.fork("queued", () -> {
                queuedRan.set(true);
                return null;
            });
            TaskGroupException thrown = (TaskGroupException) catchThrowable(group::join);
            group.close();
            assertThat(thrown).hasCause(boom).hasMessageContaining("task 'failing' threw");
            assertThat(thrown.failures()).containsExactly(boom);
            assertThat(sibling.state()).isEqualTo(Task.State.CANCELLED);
            assertThat(sibling.cancellationReason()).isEqualTo(CancellationReason.SIBLING_FAILURE);
            assertThat(queued.state()).isEqualTo(Task.State.CANCELLED);
            assertThat(queuedRan).isFalse();
            assertThat(failing.state()).isEqualTo(Task.State.FAILED);
            assertThat(group.cancellationReason()).contains(CancellationReason.SIBLING_FAILURE);
        }

        @RepeatedTest(20)
        void aRealFailureAfterTheCancellationIsKeptButEchoesAreNot() throws Exception {
            CountDownLatch started = new CountDownLatch(2);
            IllegalStateException first = new IllegalStateException("first");
            IllegalArgumentException cleanup = new IllegalArgumentException("cleanup failed");
            TaskGroup group = factory.open("g");
            group.fork("echo", () -> {
                started.countDown();
                return park(); // ends with InterruptedException: an echo
            });
            group.fork("late", () -> {
                started.countDown();
                try {
                    return park();
                } catch (InterruptedException e) {
                    throw cleanup; // a genuine failure that happens after the cancellation
                }
            });
            group.fork("first", () -> {
                started.await();
                throw first;
            });
            TaskGroupException thrown = (TaskGroupException) catchThrowable(group::join);
            group.close();
            assertThat(thrown.failures()).containsExactlyInAnyOrder(first, cleanup);
            assertThat(thrown.getCause()).isSameAs(first);
        }

        @RepeatedTest(10)
        void anEchoThatCarriesANestedGroupsFailuresIsNotAMereEcho() throws Exception {
            IllegalStateException inner = new IllegalStateException("inner");
            CountDownLatch innerFailed = new CountDownLatch(1);
            TaskGroup group = factory.open("outer");
            Task<Void> runner = group.fork("runs-nested", () -> {
                try (TaskGroup nested = factory.open(
                        "nested",
                        TaskGroupOptions.builder()
                                .policy(TaskGroupPolicy.SUPERVISE)
                                .build())) {
                    nested.fork(() -> {
                        innerFailed.countDown();
                        throw inner;
                    });
                    innerFailed.await();
                    park(); // interrupted by the outer cancel below; close() then reports 'inner' as suppressed
                }
                return null;
            });
            innerFailed.await();
            await().until(() -> events.failed.get() == 1);
            group.cancel();
            TaskGroupException thrown = (TaskGroupException) catchThrowable(group::join);
            group.close();
            assertThat(runner.state()).isEqualTo(Task.State.FAILED);
            assertThat(runner.exception()).isInstanceOf(TaskGroupException.class);
            assertThat(((TaskGroupException) runner.exception()).failures()).containsExactly(inner);
            assertThat(thrown.failures()).containsExactly(runner.exception());
        }

        @RepeatedTest(10)
        void failuresWinOverTheOwnersInterruptAndTheInterruptStatusComesBack() throws Exception {
            IllegalStateException boom = new IllegalStateException("boom");
            CountDownLatch parked = new CountDownLatch(1);
            TaskGroup group = factory.open(
                    "g",
                    TaskGroupOptions.builder().policy(TaskGroupPolicy.SUPERVISE).build());
            group.fork(() -> {
                throw boom;
            });
            group.fork(() -> {
                parked.countDown();
                return park();
            });
            parked.await();
            await().until(() -> events.failed.get() == 1);
            Thread.currentThread().interrupt();
            Throwable thrown = catchThrowable(group::join);
            boolean interrupted = Thread.interrupted();
            group.close();
            assertThat(thrown).isInstanceOf(TaskGroupException.class).hasCause(boom);
            assertThat(((TaskGroupException) thrown).failures()).containsExactly(boom);
            assertThat(interrupted).as("interrupt status re-asserted").isTrue();
        }
    }

    @Nested
    @DisplayName("3. close without join")
    class CloseWithoutJoin {

        @RepeatedTest(10)
        void leavingTheBlockWithAnExceptionCancelsAndAwaitsTheTasksAndTheBodysExceptionPropagates() {
            AtomicInteger finished = new AtomicInteger();
            IllegalArgumentException bodyFailure = new IllegalArgumentException("body");
            CountDownLatch started = new CountDownLatch(2);
            Throwable thrown = catchThrowable(() -> {
                try (TaskGroup group = factory.open("g")) {
                    for (int i = 0; i < 2; i++) {
                        group.fork(() -> {
                            started.countDown();
                            try {
                                return park();
                            } finally {
                                finished.incrementAndGet();
                            }
                        });
                    }
                    started.await();
                    throw bodyFailure;
                }
            });
            assertThat(thrown).isSameAs(bodyFailure);
            assertThat(bodyFailure.getSuppressed()).isEmpty();
            assertThat(finished).hasValue(2);
            assertThat(events.cancelledWith(CancellationReason.EXPLICIT)).isEqualTo(2);
        }

        @RepeatedTest(10)
        void closeReportsFailuresThatJoinNeverReportedAsSuppressedToTheBodysException() {
            IllegalStateException taskFailure = new IllegalStateException("task");
            RuntimeException bodyFailure = new RuntimeException("body");
            Throwable thrown = catchThrowable(() -> {
                try (TaskGroup group = factory.open("g")) {
                    group.fork(() -> {
                        throw taskFailure;
                    });
                    await().until(() -> events.failed.get() == 1);
                    throw bodyFailure;
                }
            });
            assertThat(thrown).isSameAs(bodyFailure);
            assertThat(bodyFailure.getSuppressed())
                    .singleElement()
                    .isInstanceOf(TaskGroupException.class)
                    .extracting(Throwable::getCause)
                    .isSameAs(taskFailure);
        }

        @RepeatedTest(10)
        void closeIsNotInterruptibleAndReassertsTheInterrupt() {
            CountDownLatch started = new CountDownLatch(1);
            AtomicBoolean finished = new AtomicBoolean();
            TaskGroup group = factory.open("g");
            group.fork(() -> {
                started.countDown();
                try {
                    return park();
                } finally {
                    finished.set(true);
                }
            });
            await().until(() -> started.getCount() == 0);
            Thread.currentThread().interrupt();
            group.close();
            assertThat(Thread.interrupted()).isTrue();
            assertThat(finished).isTrue();
            assertThat(group.state()).isEqualTo(TaskGroup.State.CLOSED);
        }
    }

    @Nested
    @DisplayName("4. owner interrupted in join")
    class OwnerInterrupted {

        @RepeatedTest(10)
        void anInterruptedOwnerCancelsAllWaitsAndThrowsInterruptedException() throws Exception {
            CountDownLatch started = new CountDownLatch(1);
            AtomicBoolean finished = new AtomicBoolean();
            TaskGroup group = factory.open("g");
            Task<Void> task = group.fork(() -> {
                started.countDown();
                try {
                    return park();
                } finally {
                    finished.set(true);
                }
            });
            started.await();
            Thread owner = Thread.currentThread();
            Thread interrupter = new Thread(() -> {
                await().until(() -> group.state() == TaskGroup.State.JOINING);
                owner.interrupt();
            });
            interrupter.start();
            assertThatThrownBy(group::join).isInstanceOf(InterruptedException.class);
            interrupter.join();
            assertThat(finished).isTrue();
            assertThat(task.state()).isEqualTo(Task.State.CANCELLED);
            assertThat(task.cancellationReason()).isEqualTo(CancellationReason.PARENT);
            group.close();
        }
    }

    @Nested
    @DisplayName("5. explicit cancellation")
    class ExplicitCancel {

        @RepeatedTest(10)
        void cancellingTheGroupIsAQuietEarlyExit() throws Exception {
            CountDownLatch started = new CountDownLatch(3);
            try (TaskGroup group = factory.open("g")) {
                for (int i = 0; i < 3; i++) {
                    group.fork(() -> {
                        started.countDown();
                        return park();
                    });
                }
                started.await();
                assertThat(group.cancel()).isTrue();
                assertThat(group.cancel()).isFalse();
                group.join();
                assertThat(group.state()).isEqualTo(TaskGroup.State.CANCELLING);
            }
            assertThat(events.cancelledWith(CancellationReason.EXPLICIT)).isEqualTo(3);
        }

        @RepeatedTest(10)
        void aGenuineFailureIsNotSwallowedByACancel() throws Exception {
            IllegalStateException cleanup = new IllegalStateException("cleanup");
            CountDownLatch started = new CountDownLatch(1);
            TaskGroup group = factory.open("g");
            group.fork(() -> {
                started.countDown();
                try {
                    return park();
                } catch (InterruptedException e) {
                    throw cleanup;
                }
            });
            started.await();
            group.cancel();
            assertThatThrownBy(group::join)
                    .isInstanceOf(TaskGroupException.class)
                    .hasCause(cleanup);
            group.close();
        }

        @RepeatedTest(10)
        void aQuietCancelStaysQuietInNestedGroupsTheOwnerRuns() throws Exception {
            CountDownLatch started = new CountDownLatch(1);
            String result = factory.run("outer", outer -> {
                outer.fork(() -> {
                    started.await();
                    outer.cancel(); // quiet: the owner's side decided
                    return null;
                });
                try (TaskGroup nested = factory.open("nested")) {
                    nested.fork(() -> {
                        started.countDown();
                        return park();
                    });
                    nested.join(); // cancelled with reason parent, quietly: returns normally
                    assertThat(nested.cancellationReason()).contains(CancellationReason.PARENT);
                }
                return "quiet";
            });
            assertThat(result).isEqualTo("quiet");
        }

        @RepeatedTest(10)
        void cancellingOneTaskLetsTheGroupGoOn() throws Exception {
            try (TaskGroup group = factory.open("g")) {
                Task<Void> parked = group.fork(TaskGroupContract::park);
                Task<String> other = group.fork(() -> "ok");
                assertThat(parked.cancel()).isTrue();
                assertThat(parked.cancel()).isFalse();
                group.join();
                assertThat(other.get()).isEqualTo("ok");
                assertThat(group.cancellationReason()).isEmpty();
                assertThat(other.cancel()).isFalse();
            }
        }

        @RepeatedTest(10)
        void aTaskCancelledWithAReasonReportsItAndTheGroupGoesOn() throws Exception {
            try (TaskGroup group = factory.open("g")) {
                Task<Void> parked = group.fork("parked", TaskGroupContract::park);
                Task<String> other = group.fork(() -> "ok");
                assertThatThrownBy(() -> parked.cancel(null))
                        .isInstanceOf(NullPointerException.class)
                        .hasMessage("reason");
                assertThat(parked.cancel(CancellationReason.REQUEST_ABORTED)).isTrue();
                assertThat(parked.cancel(CancellationReason.TIMEOUT)).isFalse(); // the first reason stays
                group.join();
                assertThat(parked.state()).isEqualTo(Task.State.CANCELLED);
                assertThat(parked.cancellationReason()).isEqualTo(CancellationReason.REQUEST_ABORTED);
                assertThatThrownBy(parked::get)
                        .isInstanceOf(CancellationException.class)
                        .hasMessageContaining("request-aborted");
                assertThat(other.get()).isEqualTo("ok");
                assertThat(group.cancellationReason()).isEmpty();
            }
        }
    }

    @Nested
    @DisplayName("6. deadlines")
    class Deadlines {

        @RepeatedTest(50)
        void aGroupWhoseDeadlinePassedWhileItOpenedIsTimedOutBeforeAnythingIsForked() throws Exception {
            AtomicInteger ran = new AtomicInteger();
            TaskGroup group = factory.open(
                    "used-up",
                    TaskGroupOptions.builder().timeout(Duration.ofNanos(1)).build());
            assertThat(group.cancellationReason()).contains(CancellationReason.TIMEOUT);
            Task<Integer> task = group.fork(ran::incrementAndGet);
            assertThat(task.state()).isEqualTo(Task.State.CANCELLED);
            TaskGroupTimeoutException thrown = (TaskGroupTimeoutException) catchThrowable(group::join);
            group.close();
            assertThat(thrown.timeout()).isEqualTo(Duration.ofNanos(1));
            assertThat(thrown).hasMessage("Task group 'used-up' timed out after PT0.000000001S");
            assertThat(ran).hasValue(0);
        }

        @RepeatedTest(5)
        void anExpiredTimeoutCancelsTheGroupAndJoinThrowsButFinishedResultsStayReadable() throws Exception {
            TaskGroup group = factory.open(
                    "g",
                    TaskGroupOptions.builder().timeout(Duration.ofMillis(300)).build());
            Task<String> quick = group.fork(() -> "quick");
            Task<Void> slow = group.fork(TaskGroupContract::park);
            await().until(() -> quick.state().isDone());
            TaskGroupTimeoutException thrown = (TaskGroupTimeoutException) catchThrowable(group::join);
            group.close();
            assumeTrue(quick.state() == Task.State.SUCCEEDED, "a 'quick' task that needs 300 ms: machine overloaded");
            assertThat(thrown.timeout()).isEqualTo(Duration.ofMillis(300));
            assertThat(thrown.failures()).isEmpty();
            assertThat(thrown).hasMessageContaining("timed out after PT0.3S");
            assertThat(quick.get()).isEqualTo("quick");
            assertThat(slow.state()).isEqualTo(Task.State.CANCELLED);
            assertThat(slow.cancellationReason()).isEqualTo(CancellationReason.TIMEOUT);
            assertThat(events.outcomes).containsExactly(TaskGroup.Outcome.TIMEOUT);
        }

        @RepeatedTest(5)
        void runPassesTheTimeoutThatJoinThrewInTheBodyThroughAsItIs() {
            AtomicReference<Throwable> fromJoin = new AtomicReference<>();
            Throwable thrown = catchThrowable(() -> factory.run(
                    "g",
                    TaskGroupOptions.builder().timeout(Duration.ofMillis(50)).build(),
                    g -> {
                        g.fork(TaskGroupContract::park);
                        try {
                            g.join();
                        } catch (TaskGroupTimeoutException e) {
                            fromJoin.set(e);
                            throw e;
                        }
                        return null;
                    }));
            assertThat(thrown).isSameAs(fromJoin.get()).isInstanceOf(TaskGroupTimeoutException.class);
            assertThat(((TaskGroupException) thrown).failures()).isEmpty();
        }

        @Test
        void aDeadlineThatPassesAfterASuccessfulJoinCutsNothingShort() throws Exception {
            TaskGroup group = factory.open(
                    "g",
                    TaskGroupOptions.builder().timeout(Duration.ofMillis(300)).build());
            group.fork(() -> "quick");
            Throwable joined = catchThrowable(group::join);
            if (joined != null) {
                group.close();
                assumeTrue(false, "a 'quick' task that needs 300 ms: machine overloaded (" + joined + ")");
            }
            java.time.Instant deadline = group.deadline().orElseThrow();
            await().until(() -> java.time.Instant.now().isAfter(deadline.plusMillis(200)));
            group.close();
            assertThat(events.outcomes).containsExactly(TaskGroup.Outcome.SUCCEEDED);
        }

        @Test
        void aTaskForkedAfterTheDeadlinePassedIsCancelledForTimeout() throws Exception {
            TaskGroup group = factory.open(
                    "g",
                    TaskGroupOptions.builder().timeout(Duration.ofMillis(20)).build());
            await().until(() -> {
                Task<String> late = group.fork(() -> "late");
                late.cancel(); // in case the timer has not fired yet: keep the group idle
                return late.cancellationReason() == CancellationReason.TIMEOUT;
            });
            assertThatThrownBy(group::join).isInstanceOf(TaskGroupTimeoutException.class);
            group.close();
            assertThat(events.outcomes).containsExactly(TaskGroup.Outcome.TIMEOUT);
        }

        @RepeatedTest(5)
        void aNestedGroupNeverOutlivesItsParentsDeadline() throws Exception {
            AtomicReference<Throwable> nestedOutcome = new AtomicReference<>();
            AtomicReference<TaskGroup> nestedGroup = new AtomicReference<>();
            TaskGroup outer = factory.open(
                    "outer",
                    TaskGroupOptions.builder().timeout(Duration.ofMillis(300)).build());
            outer.fork(() -> {
                try (TaskGroup nested = factory.open(
                        "nested",
                        TaskGroupOptions.builder().timeout(Duration.ofDays(1)).build())) {
                    nestedGroup.set(nested);
                    nested.fork(TaskGroupContract::park);
                    nested.join();
                } catch (Throwable e) {
                    nestedOutcome.set(e);
                    throw e;
                }
                return null;
            });
            assertThatThrownBy(outer::join).isInstanceOf(TaskGroupTimeoutException.class);
            outer.close();
            assumeTrue(nestedGroup.get() != null, "the outer deadline (300 ms) expired before its task started");
            assertThat(nestedGroup.get().deadline()).isEqualTo(outer.deadline());
            assertThat(nestedOutcome.get()).isNotNull();
            assertThat(Failures.isEcho(nestedOutcome.get())).isTrue();
            assertThat(events.cancelledWith(CancellationReason.TIMEOUT)).isEqualTo(2);
        }
    }

    @Nested
    @DisplayName("7. nesting")
    class Nesting {

        @RepeatedTest(10)
        void cancellingAGroupCancelsItsSubtreeAndWakesEveryGetButNeverInterruptsTheOwner() throws Exception {
            CountDownLatch deepStarted = new CountDownLatch(1);
            AtomicReference<Throwable> getOutcome = new AtomicReference<>();
            TaskGroup outer = factory.open("outer");
            // a nested group opened by the owner itself, in its own block
            TaskGroup ownerNested = factory.open("owner-nested");
            Task<Void> ownerNestedTask = ownerNested.fork(TaskGroupContract::park);
            outer.fork("runs-nested", () -> {
                try (TaskGroup nested = factory.open("nested")) {
                    Task<Void> deep = nested.fork(() -> {
                        deepStarted.countDown();
                        return park();
                    });
                    try {
                        deep.get();
                    } catch (CancellationException e) {
                        getOutcome.set(e);
                    }
                    nested.join();
                }
                return null;
            });
            deepStarted.await();
            assertThat(factory.liveGroups()).singleElement().satisfies(root -> {
                assertThat(root.name()).isEqualTo("outer");
                assertThat(root.groups())
                        .extracting(TaskGroupSnapshot::name)
                        .containsExactlyInAnyOrder("owner-nested", "nested");
            });
            outer.cancel();
            Throwable ownerGet =
                    catchThrowable(ownerNestedTask::get); // woken at once, though the owner is not interrupted
            assertThat(ownerGet).isInstanceOf(CancellationException.class);
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
            ownerNested.join(); // the outer cancel was quiet (explicit), and so is its echo in nested groups
            assertThat(ownerNested.cancellationReason()).contains(CancellationReason.PARENT);
            ownerNested.close();
            outer.join();
            outer.close();
            assertThat(getOutcome.get()).isInstanceOf(CancellationException.class);
            assertThat(events.cancelledWith(CancellationReason.PARENT)).isGreaterThanOrEqualTo(2);
        }

        @RepeatedTest(10)
        void aGetThatFailsBecauseOfASiblingFailureCarriesThatFailureAsItsCause() throws Exception {
            IllegalStateException boom = new IllegalStateException("boom");
            CountDownLatch parked = new CountDownLatch(1);
            TaskGroup group = factory.open("g");
            Task<Void> victim = group.fork(() -> {
                parked.countDown();
                return park();
            });
            group.fork(() -> {
                parked.await();
                throw boom;
            });
            Throwable thrown = catchThrowable(victim::get);
            assertThat(thrown).isInstanceOf(CancellationException.class).hasCause(boom);
            assertThatThrownBy(group::join).isInstanceOf(TaskGroupException.class);
            group.close();
        }

        @RepeatedTest(10)
        void aNestedGroupsFailuresReachItsParentThroughTheTaskThatRanIt() throws Exception {
            IllegalStateException deep = new IllegalStateException("deep");
            TaskGroup outer = factory.open("outer");
            Task<Integer> runner = outer.fork(
                    "runner",
                    () -> factory.run("nested", nested -> {
                        nested.fork(() -> {
                            throw deep;
                        });
                        return 1;
                    }));
            TaskGroupException thrown = (TaskGroupException) catchThrowable(outer::join);
            outer.close();
            assertThat(runner.state()).isEqualTo(Task.State.FAILED);
            assertThat(thrown.failures())
                    .singleElement()
                    .isInstanceOf(TaskGroupException.class)
                    .satisfies(nested ->
                            assertThat(((TaskGroupException) nested).failures()).containsExactly(deep));
        }
    }

    @Nested
    @DisplayName("8. concurrency limit")
    class ConcurrencyLimit {

        @RepeatedTest(10)
        void atMostNTasksRunAtOnceAndForkNeverBlocks() throws Exception {
            int limit = 3;
            AtomicInteger running = new AtomicInteger();
            AtomicInteger maxRunning = new AtomicInteger();
            CountDownLatch gate = new CountDownLatch(1);
            try (TaskGroup group = factory.open(
                    "g", TaskGroupOptions.builder().maxConcurrency(limit).build())) {
                for (int i = 0; i < 20; i++) {
                    group.fork(() -> {
                        maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                        gate.await();
                        running.decrementAndGet();
                        return null;
                    });
                } // fork never blocked the owner: we are here while the first three wait on the gate
                await().until(() -> running.get() == limit);
                assertThat(factory.liveGroups().get(0).tasks())
                        .hasSize(20)
                        .filteredOn(t -> t.state() == Task.State.PENDING)
                        .hasSize(17);
                gate.countDown();
                group.join();
            }
            assertThat(maxRunning).hasValue(limit);
        }

        @RepeatedTest(10)
        void queuedTasksGetTheirPermitInForkOrder() throws Exception {
            List<Integer> startOrder = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch gate = new CountDownLatch(1);
            try (TaskGroup group = factory.open(
                    "g", TaskGroupOptions.builder().maxConcurrency(1).build())) {
                group.fork(() -> gate.await(10, TimeUnit.SECONDS));
                for (int i = 0; i < 50; i++) {
                    int index = i;
                    group.fork(() -> startOrder.add(index));
                }
                gate.countDown();
                group.join();
            }
            assertThat(startOrder).hasSize(50).isSorted();
        }
    }

    @Nested
    @DisplayName("9. policies")
    class Policies {

        @RepeatedTest(10)
        void superviseCollectsEveryFailureWhileSiblingsKeepRunning() throws Exception {
            CountDownLatch bothFailed = new CountDownLatch(2);
            IllegalStateException a = new IllegalStateException("a");
            IllegalStateException b = new IllegalStateException("b");
            TaskGroup group = factory.open(
                    "g",
                    TaskGroupOptions.builder().policy(TaskGroupPolicy.SUPERVISE).build());
            group.fork(() -> {
                bothFailed.countDown();
                throw a;
            });
            group.fork(() -> {
                bothFailed.countDown();
                throw b;
            });
            Task<String> survivor = group.fork(() -> {
                await().until(() -> events.failed.get() == 2);
                return "alive";
            });
            TaskGroupException thrown = (TaskGroupException) catchThrowable(group::join);
            group.close();
            assertThat(thrown.failures()).containsExactlyInAnyOrder(a, b);
            assertThat(survivor.get()).isEqualTo("alive");
        }

        @RepeatedTest(10)
        void firstSuccessCancelsTheRestAndJoinReturns() throws Exception {
            try (TaskGroup group = factory.open(
                    "race",
                    TaskGroupOptions.builder()
                            .policy(TaskGroupPolicy.FIRST_SUCCESS)
                            .build())) {
                Task<Void> slow = group.fork(TaskGroupContract::park);
                group.fork(() -> {
                    throw new IllegalStateException("loser");
                });
                Task<String> winner = group.fork(() -> {
                    await().until(() -> events.failed.get() == 1);
                    return "win";
                });
                group.join();
                assertThat(winner.get()).isEqualTo("win");
                assertThat(slow.state()).isEqualTo(Task.State.CANCELLED);
                assertThat(slow.cancellationReason()).isEqualTo(CancellationReason.FIRST_SUCCESS);
            }
            assertThat(events.outcomes).containsExactly(TaskGroup.Outcome.SUCCEEDED);
        }

        @RepeatedTest(10)
        void firstSuccessReportsEveryFailureWhenAllFail() throws Exception {
            IllegalStateException a = new IllegalStateException("a");
            IllegalStateException b = new IllegalStateException("b");
            TaskGroup group = factory.open(
                    "race",
                    TaskGroupOptions.builder()
                            .policy(TaskGroupPolicy.FIRST_SUCCESS)
                            .build());
            group.fork(() -> {
                throw a;
            });
            group.fork(() -> {
                throw b;
            });
            TaskGroupException thrown = (TaskGroupException) catchThrowable(group::join);
            group.close();
            assertThat(thrown.failures()).containsExactlyInAnyOrder(a, b);
        }
    }

    @Nested
    @DisplayName("run()")
    class Run {

        @Test
        void runReturnsTheBodysResultOnceEveryTaskFinished() throws Exception {
            int total = factory.run("sum", g -> {
                Task<Integer> x = g.fork(() -> 20);
                Task<Integer> y = g.fork(() -> 22);
                return x.get() + y.get();
            });
            assertThat(total).isEqualTo(42);
        }

        @RepeatedTest(10)
        void aBodyExceptionCancelsTheTasksAndIsReportedWithTheirFailures() {
            IllegalStateException taskFailure = new IllegalStateException("task");
            IOException bodyFailure = new IOException("body");
            CountDownLatch failed = new CountDownLatch(1);
            Throwable thrown = catchThrowable(() -> factory.run(
                    "g",
                    TaskGroupOptions.builder().policy(TaskGroupPolicy.SUPERVISE).build(),
                    g -> {
                        g.fork(() -> {
                            failed.countDown();
                            throw taskFailure;
                        });
                        Task<Void> parked = g.fork(TaskGroupContract::park);
                        failed.await();
                        await().until(() -> events.failed.get() == 1);
                        throw bodyFailure;
                    }));
            assertThat(thrown).isInstanceOf(TaskGroupException.class).hasMessageContaining("the body threw");
            assertThat(((TaskGroupException) thrown).failures()).containsExactly(taskFailure, bodyFailure);
            assertThat(events.cancelledWith(CancellationReason.SIBLING_FAILURE)).isEqualTo(1);
        }
    }

    @Nested
    @DisplayName("10. bad use")
    class BadUse {

        @Test
        void forkingNullIsRejected() {
            try (TaskGroup group = factory.open("g")) {
                assertThatThrownBy(() -> group.fork(null))
                        .isInstanceOf(NullPointerException.class)
                        .hasMessageContaining("callable");
                assertThatThrownBy(() -> group.fork("n", null)).isInstanceOf(NullPointerException.class);
                assertThatThrownBy(() -> group.fork((String) null, () -> 1))
                        .isInstanceOf(NullPointerException.class)
                        .hasMessage("name");
            }
            assertThat(events.forked).hasValue(0);
        }

        @Test
        void forkingIntoAClosedGroupSaysTheGroupIsClosed() {
            TaskGroup group = factory.open("checkout");
            group.close();
            assertThatThrownBy(() -> group.fork("late", () -> 1))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("Task group 'checkout' is closed: cannot fork task 'late'");
            assertThatThrownBy(group::join)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
        }

        @Test
        void forkingIntoACancelledGroupReturnsACancelledTaskThatNeverRuns() throws Exception {
            AtomicBoolean ran = new AtomicBoolean();
            try (TaskGroup group = factory.open("g")) {
                group.cancel();
                Task<Boolean> task = group.fork(() -> ran.getAndSet(true));
                assertThat(task.state()).isEqualTo(Task.State.CANCELLED);
                group.join();
            }
            assertThat(ran).isFalse();
            assertThat(events.forked).hasValue(1);
            assertThat(events.cancelled).hasValue(1);
        }

        @Test
        void invalidOptionsAreRejectedWhenBuilt() {
            assertThatThrownBy(() -> TaskGroupOptions.builder().timeout(Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("timeout must be positive, but was PT0S");
            assertThatThrownBy(() -> TaskGroupOptions.builder().timeout(Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> TaskGroupOptions.builder().maxConcurrency(0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("maxConcurrency must be at least 1, but was 0");
        }
    }

    @Nested
    @DisplayName("11. context")
    class Context {

        @RepeatedTest(5)
        void aHookCarriesContextIntoTasksAndNothingLeaksIntoTheNextTaskOfTheThread() throws Exception {
            ThreadLocal<String> context = new ThreadLocal<>();
            ContextPropagator propagator = task -> {
                String captured = context.get();
                return () -> {
                    String previous = context.get();
                    context.set(captured);
                    try {
                        task.run();
                    } finally {
                        context.set(previous);
                    }
                };
            };
            ExecutorService oneThread = java.util.concurrent.Executors.newSingleThreadExecutor();
            try (TaskGroupFactory contextual = TaskGroupFactory.builder()
                    .executor(oneThread)
                    .contextPropagator(propagator)
                    .build()) {
                context.set("request-1");
                String seen = contextual.run("g", g -> g.fork(context::get).get());
                context.remove();
                assertThat(seen).isEqualTo("request-1");
                Boolean leaked = contextual.run(
                        "g", g -> g.fork(() -> context.get() != null).get());
                assertThat(leaked).isFalse();
            } finally {
                oneThread.shutdown();
            }
        }

        @Test
        void aPropagatorThatRunsTheTaskTwiceRunsItsCodeOnceAndOneThatNeverRunsItFailsTheTask() throws Exception {
            ContextPropagator twice = task -> () -> {
                task.run();
                task.run();
            };
            ContextPropagator never = task -> () -> {};
            AtomicInteger calls = new AtomicInteger();
            try (TaskGroupFactory repeating = TaskGroupFactory.builder()
                    .executor(executor)
                    .listener(events)
                    .contextPropagator(twice)
                    .build()) {
                Integer value =
                        repeating.run("g", g -> g.fork(calls::incrementAndGet).get());
                assertThat(value).isEqualTo(1);
                assertThat(calls).hasValue(1);
            }
            try (TaskGroupFactory skipping = TaskGroupFactory.builder()
                    .executor(executor)
                    .listener(events)
                    .contextPropagator(never)
                    .build()) {
                Throwable thrown = catchThrowable(() -> skipping.run("g", g -> g.fork(calls::incrementAndGet)));
                assertThat(thrown).isInstanceOf(TaskGroupException.class);
                assertThat(((TaskGroupException) thrown).failures())
                        .singleElement()
                        .isInstanceOf(IllegalStateException.class);
                assertThat(calls).hasValue(1);
            }
        }

        @Test
        void runningATaskAgainFromItsOwnCodeOrFromAnotherThreadDoesNothing() throws Exception {
            AtomicInteger calls = new AtomicInteger();
            AtomicReference<Task<Integer>> self = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch forked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            try (TaskGroup group = factory.open("g")) {
                Task<Integer> task = group.fork(() -> {
                    started.countDown();
                    forked.await();
                    ((Runnable) self.get()).run(); // the task is its own runnable: a second run must be a no-op
                    release.await();
                    return calls.incrementAndGet();
                });
                self.set(task);
                forked.countDown();
                started.await();
                ((Runnable) task).run(); // from the owner, while it runs
                release.countDown();
                group.join();
                assertThat(task.get()).isEqualTo(1);
                ((Runnable) task).run(); // and once it is done
            }
            assertThat(calls).hasValue(1);
        }

        @RepeatedTest(10)
        void anInterruptMeantForACancelledTaskDoesNotLeakIntoTheNextTaskOnAPooledThread() throws Exception {
            ExecutorService oneThread = java.util.concurrent.Executors.newSingleThreadExecutor();
            try (TaskGroupFactory pooled =
                    TaskGroupFactory.builder().executor(oneThread).build()) {
                CountDownLatch started = new CountDownLatch(1);
                try (TaskGroup group = pooled.open("g")) {
                    Task<Void> task = group.fork(() -> {
                        started.countDown();
                        return park();
                    });
                    started.await();
                    task.cancel();
                    group.join();
                }
                Boolean interruptedInNextTask = pooled.run(
                        "next",
                        g -> g.fork(() -> Thread.currentThread().isInterrupted())
                                .get());
                assertThat(interruptedInNextTask).isFalse();
            } finally {
                oneThread.shutdown();
            }
        }
    }

    @Nested
    @DisplayName("12-14. events, introspection, thread names")
    class Events {

        @Test
        void aListenerThatThrowsNeverBreaksAGroup() throws Exception {
            TaskGroupListener broken = new TaskGroupListener() {
                @Override
                public void taskStarted(Task<?> task) {
                    throw new IllegalStateException("listener bug");
                }

                @Override
                public void groupOpened(TaskGroup group) {
                    throw new IllegalStateException("listener bug");
                }
            };
            try (TaskGroupFactory withBroken = TaskGroupFactory.builder()
                    .executor(executor)
                    .listener(broken)
                    .listener(events)
                    .build()) {
                Integer seven = withBroken.run("g", g -> g.fork(() -> 7).get());
                assertThat(seven).isEqualTo(7);
            }
            assertThat(events.succeeded).hasValue(1);
        }

        @Test
        void listenerEventsCarryOutcomesReasonsAndDurations() throws Exception {
            IllegalStateException boom = new IllegalStateException("boom");
            Throwable thrown = catchThrowable(() -> factory.run(
                    "g",
                    TaskGroupOptions.builder().policy(TaskGroupPolicy.SUPERVISE).build(),
                    g -> {
                        g.fork(() -> 1);
                        g.fork(() -> {
                            throw boom;
                        });
                        g.fork(TaskGroupContract::park).cancel();
                        g.join(); // its report goes through run() as it is, not wrapped again
                        return null;
                    }));
            assertThat(thrown).isInstanceOf(TaskGroupException.class).hasCause(boom);
            assertThat(((TaskGroupException) thrown).failures()).containsExactly(boom);
            assertThat(events.forked).hasValue(3);
            assertThat(events.started.get()).isBetween(2, 3);
            assertThat(events.succeeded).hasValue(1);
            assertThat(events.failed).hasValue(1);
            assertThat(events.cancelled).hasValue(1);
            assertThat(events.outcomes).containsExactly(TaskGroup.Outcome.FAILED);
            assertThat(events.opened).hasValue(1);
        }

        @Test
        void taskThreadsCarryTheGroupAndTaskName() throws Exception {
            String name = factory.run(
                    "checkout",
                    g -> g.fork("stock", () -> Thread.currentThread().getName()).get());
            assertThat(name).endsWith("checkout/stock");
        }

        @Test
        void unnamedTasksThreadsCarryTheGroupName() throws Exception {
            List<String> names = factory.run("checkout", g -> {
                Task<String> first = g.fork(() -> Thread.currentThread().getName());
                Task<String> second = g.fork(() -> Thread.currentThread().getName());
                return List.of(first.get(), second.get());
            });
            assertThat(names)
                    .allSatisfy(name -> assertThat(name).endsWith("checkout").doesNotContain("/"));
        }

        @Test
        void aFanOutUnderOneNameSharesTheThreadLabel() throws Exception {
            List<String> names = factory.run("checkout", g -> {
                List<Task<String>> fetches = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    fetches.add(g.fork("fetch", () -> Thread.currentThread().getName()));
                }
                Task<String> other =
                        g.fork("stock", () -> Thread.currentThread().getName());
                List<String> all = new ArrayList<>();
                for (Task<String> fetch : fetches) {
                    all.add(fetch.get());
                }
                all.add(other.get());
                return all;
            });
            assertThat(names.subList(0, 3)).allSatisfy(name -> assertThat(name).endsWith("checkout/fetch"));
            assertThat(names.get(3)).endsWith("checkout/stock");
        }

        @Test
        void liveGroupsShowTheTreeWithNamesStatesAndAges() throws Exception {
            CountDownLatch started = new CountDownLatch(1);
            try (TaskGroup group = factory.open(
                    "tree",
                    TaskGroupOptions.builder().timeout(Duration.ofHours(1)).build())) {
                group.fork("parked", () -> {
                    started.countDown();
                    return park();
                });
                started.await();
                List<TaskGroupSnapshot> live = factory.liveGroups(true);
                assertThat(live).singleElement().satisfies(snapshot -> {
                    assertThat(snapshot.name()).isEqualTo("tree");
                    assertThat(snapshot.id()).isEqualTo(group.id());
                    assertThat(snapshot.state()).isEqualTo(TaskGroup.State.OPEN);
                    assertThat(snapshot.ownerThread())
                            .isEqualTo(Thread.currentThread().getName());
                    assertThat(snapshot.deadline()).isAfter(snapshot.openedAt());
                    assertThat(snapshot.policy()).isEqualTo(TaskGroupPolicy.FAIL_FAST);
                    assertThat(snapshot.tasks()).singleElement().satisfies(task -> {
                        assertThat(task.name()).isEqualTo("parked");
                        assertThat(task.state()).isEqualTo(Task.State.RUNNING);
                        assertThat(task.thread()).endsWith("tree/parked");
                        assertThat(task.age()).isPositive();
                        assertThat(task.stackTrace()).isNotEmpty();
                    });
                });
                assertThat(factory.find(group.id())).containsSame(group);
                group.cancel();
                group.join();
            }
            assertThat(factory.liveGroups()).isEmpty();
        }
    }
}
