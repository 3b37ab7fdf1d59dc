package io.github.taskgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * {@link Task#completion()} and {@link TaskGroup#completion()}: outcomes, read-only and cancel semantics,
 * the threads dependents run on, composition. Deterministic: latches, never sleep.
 */
abstract class CompletionViewContract {

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
        java.util.Optional<TaskGroup> leftOpen = CurrentTaskGroup.get();
        DefaultTaskGroup.leaveTask(null);
        assertThat(leftOpen).as("group left open on the test thread").isEmpty();
        factory.close();
        executor.shutdown();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(events.violations).as("listener contract").isEmpty();
    }

    static Void park() throws InterruptedException {
        NEVER.await();
        return null;
    }

    /**
     * {@code get} with a bound. A cancelled view's own {@code CancellationException} is thrown as it is on
     * JDK 17; from JDK 23 on, {@code get()} throws a fresh one ("get") caused by it: this unwraps that one.
     */
    static <T> T getFrom(CompletableFuture<T> future) throws Exception {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (CancellationException e) {
            throw viewsOwn(e);
        }
    }

    static CancellationException viewsOwn(CancellationException thrown) {
        CancellationException own = thrown;
        while (own.getCause() instanceof CancellationException cause) {
            own = cause;
        }
        return own;
    }

    // ---------------------------------------------------------------- a task's view

    @Test
    void completesWithTheValue() throws Exception {
        try (TaskGroup group = factory.open("value")) {
            CountDownLatch go = new CountDownLatch(1);
            Task<String> task = group.fork("t", () -> {
                go.await();
                return "v";
            });
            CompletableFuture<String> view = task.completion(); // requested before completion
            assertThat(view).isNotDone();
            assertThat(task.completion()).isSameAs(view);
            go.countDown();
            assertThat(getFrom(view)).isEqualTo("v");
            group.join();
            assertThat(task.completion()).isSameAs(view).isCompletedWithValue("v");
        }
    }

    @Test
    void requestedAfterCompletionIsAlreadyComplete() throws Exception {
        try (TaskGroup group = factory.open("after")) {
            Task<String> task = group.fork("t", () -> "v");
            Task<String> nullTask = group.fork("n", () -> null);
            group.join();
            assertThat(task.completion()).isCompletedWithValue("v");
            assertThat(nullTask.completion()).isCompletedWithValue(null);
        }
    }

    @Test
    void completesExceptionallyWithTheFailure() throws Exception {
        IOException boom = new IOException("boom");
        TaskGroup group = factory.open("failure");
        Task<String> task = group.fork("t", () -> {
            throw boom;
        });
        CompletableFuture<String> view = task.completion();
        Throwable thrown = catchThrowable(() -> getFrom(view));
        assertThat(thrown).isInstanceOf(ExecutionException.class).hasCause(boom);
        assertThat(catchThrowable(view::join))
                .isInstanceOf(CompletionException.class)
                .hasCause(boom);
        assertThat(view.isCompletedExceptionally()).isTrue();
        assertThat(view.isCancelled()).isFalse();
        assertThatThrownBy(group::close).isInstanceOf(TaskGroupException.class); // still reported to the owner
    }

    @Test
    void cancelledTaskCompletesWithCancellationCausedByTheGroupsFirstFailure() throws Exception {
        IOException boom = new IOException("boom");
        CountDownLatch parked = new CountDownLatch(1);
        TaskGroup group = factory.open("cancel-cause");
        Task<Void> victim = group.fork("victim", () -> {
            parked.countDown();
            return park();
        });
        CompletableFuture<Void> view = victim.completion();
        parked.await();
        group.fork("failing", () -> {
            throw boom;
        });
        Throwable thrown = catchThrowable(() -> getFrom(view));
        assertThat(thrown).isInstanceOf(CancellationException.class).hasCause(boom);
        assertThat(view.isCancelled()).isTrue();
        assertThat(victim.state()).isEqualTo(Task.State.CANCELLED); // the view waits for the final state
        assertThatThrownBy(group::close).isInstanceOf(TaskGroupException.class);
    }

    @Test
    void taskCancelledBeforeItStartedCompletesWithCancellation() throws Exception {
        try (TaskGroup group = factory.open(
                "pending", TaskGroupOptions.builder().maxConcurrency(1).build())) {
            CountDownLatch release = new CountDownLatch(1);
            group.fork("first", () -> {
                release.await();
                return null;
            });
            Task<String> queued = group.fork("queued", () -> "never");
            CompletableFuture<String> view = queued.completion();
            assertThat(queued.cancel()).isTrue();
            assertThat(catchThrowable(() -> getFrom(view)))
                    .isInstanceOf(CancellationException.class)
                    .hasMessageContaining("explicit");
            release.countDown();
            group.join();
        }
    }

    @Test
    void viewWaitsForTheFinalStateWhereGetWakesUpEarly() throws Exception {
        IllegalStateException late = new IllegalStateException("cleanup failed");
        CountDownLatch parked = new CountDownLatch(1);
        CountDownLatch letItFail = new CountDownLatch(1);
        TaskGroup group = factory.open("late-failure");
        Task<Void> task = group.fork("t", () -> {
            parked.countDown();
            try {
                return park();
            } catch (InterruptedException e) {
                letItFail.await();
                throw late; // a genuine failure after the cancellation
            }
        });
        CompletableFuture<Void> view = task.completion();
        parked.await();
        group.cancel();
        assertThatThrownBy(task::get).isInstanceOf(CancellationException.class); // woken at once
        assertThat(view).isNotDone();
        letItFail.countDown();
        assertThat(catchThrowable(() -> getFrom(view)))
                .isInstanceOf(ExecutionException.class)
                .hasCause(late);
        assertThatThrownBy(group::close).isInstanceOf(TaskGroupException.class);
    }

    @Test
    void rejectedTaskCompletesExceptionallyWithTheRejection() throws Exception {
        TaskGroup group = factory.open(
                "rejected",
                TaskGroupOptions.builder()
                        .policy(TaskGroupPolicy.SUPERVISE)
                        .executor(runnable -> {
                            throw new java.util.concurrent.RejectedExecutionException("full");
                        })
                        .build());
        Task<String> task = group.fork("t", () -> "never");
        assertThat(task.state()).isEqualTo(Task.State.FAILED);
        assertThat(catchThrowable(() -> getFrom(task.completion())))
                .hasCauseInstanceOf(java.util.concurrent.RejectedExecutionException.class);
        assertThatThrownBy(group::close).isInstanceOf(TaskGroupException.class);
    }

    @Test
    void thenApplyChain() throws Exception {
        try (TaskGroup group = factory.open("chain")) {
            CountDownLatch go = new CountDownLatch(1);
            Task<Integer> task = group.fork("t", () -> {
                go.await();
                return 20;
            });
            CompletableFuture<String> chained = task.completion()
                    .thenApply(n -> n + 1)
                    .thenApply(n -> n * 2)
                    .thenApply(n -> "=" + n);
            go.countDown();
            assertThat(getFrom(chained)).isEqualTo("=42");
            group.join();
        }
    }

    @Test
    void allOfComposition() throws Exception {
        try (TaskGroup group = factory.open("all-of")) {
            Task<String> a = group.fork("a", () -> "a");
            Task<String> b = group.fork("b", () -> "b");
            CompletableFuture<String> both = CompletableFuture.allOf(a.completion(), b.completion())
                    .thenApply(ignored -> a.completion().join() + b.completion().join());
            assertThat(getFrom(both)).isEqualTo("ab");
            assertThat(getFrom(a.completion().thenCombine(b.completion(), String::concat)))
                    .isEqualTo("ab");
            group.join();
        }
    }

    /** What kotlinx-coroutines-jdk8's await() relies on: toCompletableFuture(), get(), cancel on cancellation. */
    @Test
    void awaitContractIsTheCompletionStageContract() throws Exception {
        try (TaskGroup group = factory.open("await")) {
            Task<String> ok = group.fork("ok", () -> "v");
            CompletableFuture<String> stage = ok.completion().toCompletableFuture();
            assertThat(stage).isSameAs(ok.completion());
            assertThat(stage.get()).isEqualTo("v");
            AtomicReference<Object> seen = new AtomicReference<>();
            ok.completion().whenComplete((value, failure) -> seen.set(value)).get();
            assertThat(seen).hasValue("v");
            assertThat(ok.completion()
                            .minimalCompletionStage()
                            .toCompletableFuture()
                            .get())
                    .isEqualTo("v");

            // a cancelled coroutine cancels the future it awaits: here, that cancels the task
            CountDownLatch parked = new CountDownLatch(1);
            Task<Void> slow = group.fork("slow", () -> {
                parked.countDown();
                return park();
            });
            parked.await();
            assertThat(slow.completion().toCompletableFuture().cancel(false)).isTrue();
            assertThat(catchThrowable(() -> getFrom(slow.completion()))).isInstanceOf(CancellationException.class);
            assertThat(slow.cancellationReason()).isEqualTo(CancellationReason.EXPLICIT);
            group.join(); // a cancelled task is not a failure
        }
    }

    @Test
    void viewIsReadOnlyAndCancelCancelsTheTask() throws Exception {
        try (TaskGroup group = factory.open("read-only")) {
            CountDownLatch parked = new CountDownLatch(1);
            Task<Void> task = group.fork("t", () -> {
                parked.countDown();
                return park();
            });
            CompletableFuture<Void> view = task.completion();
            assertThatThrownBy(() -> view.complete(null)).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> view.completeExceptionally(new IOException()))
                    .isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> view.obtrudeValue(null)).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> view.obtrudeException(new IOException()))
                    .isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> view.completeAsync(() -> null)).isInstanceOf(UnsupportedOperationException.class);
            CompletableFuture<Void> timed = view.orTimeout(1, TimeUnit.DAYS);
            assertThat(timed).isNotSameAs(view);
            assertThat(view.thenApply(x -> x).complete(null)).isTrue(); // dependents are ordinary futures
            parked.await();
            assertThat(task.state()).isEqualTo(Task.State.RUNNING);
            assertThat(view).isNotDone();

            assertThat(view.cancel(true)).isTrue();
            assertThat(view.cancel(true)).isFalse(); // already cancelled
            assertThat(catchThrowable(() -> getFrom(view)))
                    .isInstanceOf(CancellationException.class)
                    .hasMessageContaining("explicit");
            assertThat(catchThrowable(() -> getFrom(timed))) // a dependent: the cancellation, wrapped
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(CancellationException.class);
            assertThat(task.state()).isEqualTo(Task.State.CANCELLED);
            assertThat(group.cancellationReason()).isEmpty(); // the group goes on
            group.join();
        }
    }

    @Test
    void blockingDependentDoesNotBlockOtherTasksNorJoin() throws Exception {
        CountDownLatch unblock = new CountDownLatch(1);
        CountDownLatch dependentRunning = new CountDownLatch(1);
        AtomicReference<Thread> dependentThread = new AtomicReference<>();
        try (TaskGroup group = factory.open(
                "blocking-dependent",
                TaskGroupOptions.builder().maxConcurrency(1).build())) {
            CountDownLatch go = new CountDownLatch(1);
            Task<String> first = group.fork("first", () -> {
                go.await();
                return "first";
            });
            CompletableFuture<Void> blocked = first.completion().thenAccept(value -> {
                dependentThread.set(Thread.currentThread());
                dependentRunning.countDown();
                try {
                    unblock.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Task<String> second = group.fork("second", () -> "second"); // queued behind first's permit
            go.countDown();
            dependentRunning.await();
            assertThat(second.get()).isEqualTo("second");
            group.join(); // returns while the dependent is still blocked
            assertThat(blocked).isNotDone();
            assertThat(group.completion()).succeedsWithin(Duration.ofSeconds(10));
        } finally {
            unblock.countDown();
        }
        assertThat(dependentThread.get().getName()).doesNotContain("blocking-dependent/"); // name restored
    }

    @Test
    void dependentDoesNotRunInsideTheGroup() throws Exception {
        AtomicReference<java.util.Optional<TaskGroup>> current = new AtomicReference<>();
        try (TaskGroup group = factory.open("outside")) {
            CountDownLatch go = new CountDownLatch(1);
            Task<String> task = group.fork("t", () -> {
                go.await();
                return "v";
            });
            CompletableFuture<Void> dependent = task.completion().thenRun(() -> current.set(CurrentTaskGroup.get()));
            go.countDown();
            getFrom(dependent);
            group.join();
        }
        assertThat(current.get()).isEmpty();
    }

    @RepeatedTest(20)
    void viewRequestedWhileTheTaskCompletes() throws Exception {
        try (TaskGroup group = factory.open("race")) {
            CountDownLatch start = new CountDownLatch(1);
            Task<String> task = group.fork("t", () -> {
                start.await();
                return "v";
            });
            start.countDown();
            CompletableFuture<String> view = task.completion();
            assertThat(getFrom(view)).isEqualTo("v");
            group.join();
            assertThat(task.completion()).isSameAs(view).isCompletedWithValue("v");
        }
    }

    @RepeatedTest(20)
    void viewRequestedWhileTheTaskIsCancelled() throws Exception {
        try (TaskGroup group = factory.open("race-cancel")) {
            CountDownLatch parked = new CountDownLatch(1);
            Task<Void> task = group.fork("t", () -> {
                parked.countDown();
                return park();
            });
            parked.await();
            CountDownLatch both = new CountDownLatch(1);
            Thread canceller = new Thread(() -> {
                both.countDown();
                task.cancel();
            });
            canceller.start();
            both.await();
            CompletableFuture<Void> view = task.completion();
            assertThat(catchThrowable(() -> getFrom(view))).isInstanceOf(CancellationException.class);
            canceller.join();
            group.join();
        }
    }

    // ---------------------------------------------------------------- a group's view

    @Test
    void groupViewCompletesNormallyWithoutTheOwner() throws Exception {
        TaskGroup group = factory.open("group-ok");
        CountDownLatch go = new CountDownLatch(1);
        Task<String> a = group.fork("a", () -> {
            go.await();
            return "a";
        });
        CompletableFuture<Void> view = group.completion();
        assertThat(view).isNotDone();
        assertThat(group.completion()).isSameAs(view);
        // a task forked by a task while the view is pending counts
        CountDownLatch nestedGo = new CountDownLatch(1);
        AtomicReference<Task<String>> nested = new AtomicReference<>();
        group.fork("forker", () -> {
            nested.set(group.fork("nested", () -> {
                nestedGo.await();
                return "n";
            }));
            return null;
        });
        go.countDown();
        await().until(() -> nested.get() != null && a.state().isDone());
        assertThat(view).isNotDone();
        nestedGo.countDown();
        assertThat(getFrom(view)).isNull();
        assertThat(nested.get().state()).isEqualTo(Task.State.SUCCEEDED);
        group.close();
        assertThat(group.completion()).succeedsWithin(Duration.ofSeconds(10));
    }

    @Test
    void groupViewReportsFailuresButTheOwnerStillGetsThem() throws Exception {
        IOException boom = new IOException("boom");
        TaskGroup group = factory.open("group-failure");
        group.fork("parked", CompletionViewContract::park);
        CompletableFuture<Void> view = group.completion();
        group.fork("failing", () -> {
            throw boom;
        });
        Throwable thrown = catchThrowable(() -> getFrom(view));
        assertThat(thrown).isInstanceOf(ExecutionException.class).cause().isInstanceOf(TaskGroupException.class);
        assertThat(((TaskGroupException) thrown.getCause()).failures()).containsExactly(boom);
        // the owner still hears it, once
        TaskGroupException owner = (TaskGroupException) catchThrowable(group::join);
        assertThat(owner.failures()).containsExactly(boom);
        group.close();
    }

    @Test
    void groupViewOfAFailureReportedBeforeItWasMade() throws Exception {
        IOException boom = new IOException("boom");
        TaskGroup group = factory.open("before-view");
        group.fork("failing", () -> {
            throw boom;
        });
        await().until(() -> group.state() == TaskGroup.State.CANCELLING);
        CompletableFuture<Void> view = group.completion();
        assertThat(catchThrowable(() -> getFrom(view))).cause().isInstanceOf(TaskGroupException.class);
        assertThat(((TaskGroupException) catchThrowable(group::join)).failures())
                .containsExactly(boom);
        group.close();
        // after the owner was told, a new view has nothing left to report
        assertThat(group.completion()).succeedsWithin(Duration.ofSeconds(10));
    }

    @Test
    void groupViewOfATimeout() throws Exception {
        TaskGroup group = factory.open(
                "group-timeout",
                TaskGroupOptions.builder().timeout(Duration.ofMillis(50)).build());
        group.fork("parked", CompletionViewContract::park);
        CompletableFuture<Void> view = group.completion();
        Throwable thrown = catchThrowable(() -> getFrom(view));
        assertThat(thrown.getCause()).isInstanceOf(TaskGroupTimeoutException.class);
        assertThat(((TaskGroupTimeoutException) thrown.getCause()).timeout()).isEqualTo(Duration.ofMillis(50));
        assertThatThrownBy(group::join).isInstanceOf(TaskGroupTimeoutException.class);
        group.close();
    }

    @Test
    void groupViewOfALoudCancellation() throws Exception {
        TaskGroup group = factory.open("group-shutdown");
        group.fork("parked", CompletionViewContract::park);
        CompletableFuture<Void> view = group.completion();
        group.cancel(CancellationReason.SHUTDOWN);
        assertThat(catchThrowable(() -> getFrom(view)))
                .isInstanceOf(CancellationException.class)
                .hasMessageContaining("shutdown");
        assertThat(view.isCancelled()).isTrue();
        assertThatThrownBy(group::join).isInstanceOf(CancellationException.class);
        group.close();
    }

    @Test
    void cancellingTheGroupViewCancelsTheGroupQuietly() throws Exception {
        TaskGroup group = factory.open("group-cancel-view");
        Task<Void> parked = group.fork("parked", CompletionViewContract::park);
        CompletableFuture<Void> view = group.completion();
        assertThatThrownBy(() -> view.complete(null)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(view.cancel(false)).isTrue();
        assertThat(group.cancellationReason()).contains(CancellationReason.EXPLICIT);
        assertThat(getFrom(view)).isNull(); // quiet, as join()
        assertThat(parked.state()).isEqualTo(Task.State.CANCELLED);
        group.join();
        group.close();
    }

    @Test
    void groupViewWithNothingLiveCompletesAtOnce() throws Exception {
        try (TaskGroup group = factory.open("idle")) {
            assertThat(group.completion()).isCompletedWithValue(null);
            group.fork("t", () -> "v");
            group.join();
            assertThat(group.completion()).isCompletedWithValue(null);
        }
    }

    @Test
    void groupViewDependentsDoNotRunOnTheGroupsThreads() throws Exception {
        AtomicReference<Thread> ran = new AtomicReference<>();
        CountDownLatch unblock = new CountDownLatch(1);
        TaskGroup group = factory.open("group-dependent");
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Thread> taskThread = new AtomicReference<>();
        group.fork("t", () -> {
            taskThread.set(Thread.currentThread());
            go.await();
            return null;
        });
        CompletableFuture<Void> dependent = group.completion().thenRun(() -> {
            ran.set(Thread.currentThread());
            try {
                unblock.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        go.countDown();
        await().until(() -> ran.get() != null);
        assertThat(ran.get()).isNotSameAs(taskThread.get()).isNotSameAs(Thread.currentThread());
        group.join();
        group.close();
        unblock.countDown();
        getFrom(dependent);
    }

    @RepeatedTest(20)
    void groupViewRequestedWhileTheLastTaskEnds() throws Exception {
        TaskGroup group = factory.open("group-race");
        CountDownLatch start = new CountDownLatch(1);
        group.fork("t", () -> {
            start.await();
            return "v";
        });
        start.countDown();
        CompletableFuture<Void> view = group.completion();
        assertThat(getFrom(view)).isNull();
        group.join();
        group.close();
    }

    @RepeatedTest(20)
    void groupViewRequestedWhileAFailureEnds() throws Exception {
        IOException boom = new IOException("boom");
        TaskGroup group = factory.open("group-race-failure");
        CountDownLatch start = new CountDownLatch(1);
        group.fork("t", () -> {
            start.await();
            throw boom;
        });
        start.countDown();
        CompletableFuture<Void> view = group.completion();
        Throwable thrown = catchThrowable(() -> getFrom(view));
        assertThat(thrown).isInstanceOf(ExecutionException.class);
        assertThat(((TaskGroupException) thrown.getCause()).failures()).isEqualTo(List.of(boom));
        assertThat(((TaskGroupException) catchThrowable(group::join)).failures())
                .containsExactly(boom);
        group.close();
    }
}
