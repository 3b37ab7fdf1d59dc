package io.github.taskgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;

/**
 * Hostile plumbing (issue 13): executors that run tasks inline, run them on the caller when saturated, or
 * throw anything; listeners that throw errors; a pooled thread a task left a group bound to; forks that race
 * close(); deep nesting. Run once per executor kind by the subclasses. Every test is bounded in time, so that
 * a hang fails the test instead of the build.
 */
abstract class HostilePlumbingContract {

    static final Duration BOUND = Duration.ofSeconds(30);

    ExecutorService executor;
    RecordingListener events;
    TaskGroupFactory factory;
    final List<ExecutorService> extraPools = new ArrayList<>();

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
        for (ExecutorService pool : extraPools) {
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS))
                    .as("extra pool finished")
                    .isTrue();
        }
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS))
                .as("task threads all finished")
                .isTrue();
        assertThat(events.forked.get())
                .as("listener counts balance")
                .isEqualTo(events.succeeded.get() + events.failed.get() + events.cancelled.get());
        assertThat(events.violations).as("listener contract").isEmpty();
    }

    static <T> T bounded(ThrowingSupplier<T> body) {
        return assertTimeoutPreemptively(BOUND, body, "hung: join() or close() never returned");
    }

    TaskGroupFactory factoryWith(Executor hostile) {
        return TaskGroupFactory.builder().executor(hostile).listener(events).build();
    }

    /** Runs a task on {@code delegate} while fewer than {@code threads} run there, else on the caller. */
    static Executor callerRunsWhenSaturated(Executor delegate, int threads) {
        Semaphore slots = new Semaphore(threads);
        return task -> {
            if (!slots.tryAcquire()) {
                task.run(); // saturated: the caller runs it, like ThreadPoolExecutor.CallerRunsPolicy
                return;
            }
            try {
                delegate.execute(() -> {
                    try {
                        task.run();
                    } finally {
                        slots.release();
                    }
                });
            } catch (RuntimeException | Error e) {
                slots.release();
                throw e;
            }
        };
    }

    static TaskGroupOptions limit(int maxConcurrency, TaskGroupPolicy policy) {
        return TaskGroupOptions.builder()
                .maxConcurrency(maxConcurrency)
                .policy(policy)
                .build();
    }

    // ---------------------------------------------------------------- 1. no recursion in dispatch

    @Nested
    @DisplayName("1. dispatch never recurses")
    class Dispatch {

        @Test
        void aCallerRunsThreadPoolUnderAConcurrencyLimitRunsEveryTask() {
            ThreadPoolExecutor pool = new ThreadPoolExecutor(
                    1, 1, 1, TimeUnit.SECONDS, new SynchronousQueue<>(), new ThreadPoolExecutor.CallerRunsPolicy());
            extraPools.add(pool);
            AtomicInteger ran = new AtomicInteger();
            TaskGroupFactory callerRuns = factoryWith(pool);
            bounded(() -> callerRuns.run("g", limit(1, TaskGroupPolicy.FAIL_FAST), g -> {
                for (int i = 0; i < 20_000; i++) {
                    g.fork(ran::incrementAndGet);
                }
                return null;
            }));
            assertThat(ran).hasValue(20_000);
            assertThat(events.succeeded).hasValue(20_000);
        }

        @Test
        void callerRunsOnThisExecutorKindUnderAConcurrencyLimitRunsEveryTask() {
            AtomicInteger ran = new AtomicInteger();
            TaskGroupFactory callerRuns = factoryWith(callerRunsWhenSaturated(executor, 1));
            bounded(() -> callerRuns.run("g", limit(1, TaskGroupPolicy.FAIL_FAST), g -> {
                for (int i = 0; i < 20_000; i++) {
                    g.fork(ran::incrementAndGet);
                }
                return null;
            }));
            assertThat(ran).hasValue(20_000);
        }

        @Test
        void anInlineExecutorRunsTwentyThousandQueuedSubtasksOfATask() {
            AtomicInteger ran = new AtomicInteger();
            TaskGroupFactory inline = factoryWith(Runnable::run);
            bounded(() -> {
                try (TaskGroup group = inline.open("g", limit(1, TaskGroupPolicy.FAIL_FAST))) {
                    group.fork("parent", () -> {
                        for (int i = 0; i < 20_000; i++) {
                            group.fork(ran::incrementAndGet); // queued: the parent holds the only permit
                        }
                        return null;
                    });
                    group.join();
                }
                return null;
            });
            assertThat(ran).hasValue(20_000);
        }

        @RepeatedTest(3)
        void aTaskRunInlineMayWaitForATaskItForkedUnderALimit() throws Exception {
            // The trampoline must not defer a task that the code running inline waits for.
            TaskGroupFactory inline = factoryWith(Runnable::run);
            Integer value = bounded(() -> inline.run(
                    "outer",
                    outer -> outer.fork(() -> {
                                try (TaskGroup inner = inline.open("inner", limit(1, TaskGroupPolicy.FAIL_FAST))) {
                                    Task<Integer> first = inner.fork(() -> 1);
                                    Task<Integer> second = inner.fork(() -> 2);
                                    inner.join();
                                    return first.get() + second.get();
                                }
                            })
                            .get()));
            assertThat(value).isEqualTo(3);
        }
    }

    // ---------------------------------------------------------------- 2. executors that throw

    @Nested
    @DisplayName("2. an executor that throws anything fails that task")
    class ThrowingExecutors {

        @RepeatedTest(3)
        void anErrorFromTheThirdExecuteFailsThatTaskReleasesItsPermitAndTheOthersRun() {
            AtomicInteger executions = new AtomicInteger();
            OutOfMemoryError noThread = new OutOfMemoryError("unable to create native thread");
            TaskGroupFactory failing = factoryWith(task -> {
                if (executions.incrementAndGet() == 3) {
                    throw noThread;
                }
                executor.execute(task);
            });
            CountDownLatch allForked = new CountDownLatch(1);
            List<Task<Integer>> tasks = new ArrayList<>();
            TaskGroupException thrown = bounded(() -> {
                TaskGroup group = failing.open("g", limit(1, TaskGroupPolicy.SUPERVISE));
                tasks.add(group.fork(() -> {
                    allForked.await();
                    return 0;
                }));
                for (int i = 1; i < 5; i++) {
                    int value = i;
                    tasks.add(group.fork(() -> value)); // queued: dispatched by the task that ends before
                }
                allForked.countDown();
                Throwable reported = catchThrowable(group::join);
                group.close();
                return (TaskGroupException) reported;
            });
            assertThat(thrown.failures()).containsExactly(noThread);
            assertThat(tasks.get(2).state()).isEqualTo(Task.State.FAILED);
            assertThat(tasks.get(2).exception()).isSameAs(noThread);
            assertThat(tasks).filteredOn(t -> t.state() == Task.State.SUCCEEDED).hasSize(4);
        }

        @Test
        void aRuntimeExceptionFromExecuteFailsTheTaskInsteadOfEscapingFromFork() {
            IllegalStateException refused = new IllegalStateException("pool is closed");
            TaskGroupFactory failing = factoryWith(task -> {
                throw refused;
            });
            TaskGroupException thrown = bounded(() -> {
                TaskGroup group = failing.open("g", limit(1, TaskGroupPolicy.SUPERVISE));
                Task<Integer> first = group.fork(() -> 1);
                Task<Integer> second = group.fork(() -> 2);
                assertThat(first.state()).isEqualTo(Task.State.FAILED);
                assertThat(second.state()).isEqualTo(Task.State.FAILED);
                assertThat(first.exception()).isSameAs(refused);
                Throwable reported = catchThrowable(group::join);
                group.close();
                return (TaskGroupException) reported;
            });
            assertThat(thrown.failures()).containsExactly(refused, refused);
        }

        @Test
        void anErrorThatIsNotAVirtualMachineErrorFailsTheTaskLikeAnyFailure() {
            AssertionError broken = new AssertionError("executor bug");
            TaskGroupFactory failing = factoryWith(task -> {
                throw broken;
            });
            Throwable reported = bounded(() -> {
                TaskGroup group = failing.open("g");
                Task<Integer> task = group.fork(() -> 1); // not thrown: the task failed with it
                assertThat(task.exception()).isSameAs(broken);
                Throwable joined = catchThrowable(group::join);
                group.close();
                return joined;
            });
            assertThat(reported).isInstanceOf(TaskGroupException.class).hasCause(broken);
        }

        @Test
        void aVirtualMachineErrorFromExecuteIsRethrownByForkAfterTheTaskFailedWithIt() {
            AtomicBoolean first = new AtomicBoolean(true);
            OutOfMemoryError noThread = new OutOfMemoryError("unable to create native thread");
            TaskGroupFactory failing = factoryWith(task -> {
                if (first.getAndSet(false)) {
                    throw noThread;
                }
                executor.execute(task);
            });
            TaskGroupException thrown = bounded(() -> {
                TaskGroup group = failing.open("g", limit(1, TaskGroupPolicy.SUPERVISE));
                assertThatThrownBy(() -> group.fork("doomed", () -> 1)).isSameAs(noThread);
                Task<Integer> next = group.fork(() -> 2); // the permit came back
                assertThat(next.get()).isEqualTo(2);
                Throwable reported = catchThrowable(group::join);
                group.close();
                return (TaskGroupException) reported;
            });
            assertThat(thrown.failures()).containsExactly(noThread);
            assertThat(events.failed).hasValue(1);
        }
    }

    // ---------------------------------------------------------------- 3. listeners that throw errors

    @Nested
    @DisplayName("3. a listener's error never leaves a group inconsistent")
    class ThrowingListeners {

        @Test
        void anErrorFromTaskForkedFailsThatForkAndCloseReturns() {
            StackOverflowError overflow = new StackOverflowError("listener");
            AtomicBoolean first = new AtomicBoolean(true);
            TaskGroupListener hostile = new TaskGroupListener() {
                @Override
                public void taskForked(Task<?> task) {
                    if (first.getAndSet(false)) {
                        throw overflow;
                    }
                }
            };
            TaskGroupFactory withHostile = TaskGroupFactory.builder()
                    .executor(executor)
                    .listener(hostile)
                    .listener(events)
                    .build();
            Throwable reported = bounded(() -> {
                TaskGroup group = withHostile.open(
                        "g",
                        TaskGroupOptions.builder()
                                .policy(TaskGroupPolicy.SUPERVISE)
                                .build());
                assertThatThrownBy(() -> group.fork("a", () -> 1)).isSameAs(overflow);
                Task<Integer> b = group.fork("b", () -> 2);
                assertThat(b.get()).isEqualTo(2);
                Throwable joined = catchThrowable(group::join);
                group.close();
                return joined;
            });
            assertThat(reported).isInstanceOf(TaskGroupException.class).hasCause(overflow);
            assertThat(events.forked).hasValue(2);
        }

        @Test
        void anErrorFromTaskFinishedOfATaskThatNeverStartedIsLoggedAndTheTaskCountedOff() {
            StackOverflowError overflow = new StackOverflowError("listener");
            TaskGroupListener hostile = new TaskGroupListener() {
                @Override
                public void taskFinished(Task<?> task, long runNanos) {
                    if (runNanos == NOT_STARTED) {
                        throw overflow;
                    }
                }
            };
            TaskGroupFactory withHostile = TaskGroupFactory.builder()
                    .executor(executor)
                    .listener(events)
                    .listener(hostile)
                    .build();
            bounded(() -> {
                TaskGroup group = withHostile.open("g");
                group.cancel();
                // Logged, not rethrown: the same event is delivered inside cancel sweeps that must go on.
                assertThat(group.fork(() -> 1).state()).isEqualTo(Task.State.CANCELLED);
                group.join();
                group.close();
                return null;
            });
            assertThat(events.cancelled).hasValue(1);
        }

        @Test
        void anErrorFromGroupClosedAfterRunReportedFailuresRidesOnTheReportInsteadOfHidingIt() {
            StackOverflowError overflow = new StackOverflowError("listener");
            IllegalStateException boom = new IllegalStateException("boom");
            TaskGroupListener hostile = new TaskGroupListener() {
                @Override
                public void groupClosed(TaskGroup group, TaskGroup.Outcome outcome, long durationNanos) {
                    throw overflow;
                }
            };
            TaskGroupFactory withHostile = TaskGroupFactory.builder()
                    .executor(executor)
                    .listener(hostile)
                    .listener(events)
                    .build();
            Throwable thrown = bounded(() -> catchThrowable(() -> withHostile.run(
                    "g",
                    g -> g.fork(() -> {
                        throw boom;
                    }))));
            assertThat(thrown).isInstanceOf(TaskGroupException.class).hasCause(boom);
            assertThat(thrown.getSuppressed()).containsExactly(overflow);
        }

        @Test
        void anErrorFromGroupOpenedLeavesNoGroupOpenOrBound() {
            StackOverflowError overflow = new StackOverflowError("listener");
            TaskGroupListener hostile = new TaskGroupListener() {
                @Override
                public void groupOpened(TaskGroup group) {
                    throw overflow;
                }
            };
            TaskGroupFactory withHostile = TaskGroupFactory.builder()
                    .executor(executor)
                    .listener(hostile)
                    .build();
            assertThatThrownBy(() -> withHostile.open("g")).isSameAs(overflow);
            assertThat(CurrentTaskGroup.get()).isEmpty();
            assertThat(withHostile.liveGroups()).isEmpty();
        }
    }

    // ---------------------------------------------------------------- 4. the owner's interrupt status

    @Nested
    @DisplayName("4. forking never changes the forking thread's interrupt status")
    class InterruptStatus {

        @Test
        void anInlineForkKeepsThePendingInterruptOfTheOwner() throws Exception {
            TaskGroupFactory inline = factoryWith(Runnable::run);
            try (TaskGroup group = inline.open("g")) {
                Thread.currentThread().interrupt();
                Task<Boolean> task = group.fork(() -> Thread.currentThread().isInterrupted());
                boolean stillInterrupted = Thread.interrupted();
                assertThat(stillInterrupted).as("owner's interrupt kept").isTrue();
                assertThat(task.get())
                        .as("the task ran without the owner's interrupt")
                        .isFalse();
                group.join();
            }
        }

        @Test
        void theCancellationOfATaskThatRunsAnotherInlineIsNotLostWhenTheInlineTaskEnds() {
            CountDownLatch inner = new CountDownLatch(1);
            TaskGroupOptions inline =
                    TaskGroupOptions.builder().executor(Runnable::run).build();
            bounded(() -> {
                try (TaskGroup outer = factory.open("outer")) {
                    outer.fork(() -> {
                        try (TaskGroup nested = factory.open("nested", inline)) {
                            nested.fork(
                                    () -> { // runs here, inline: the outer task's interrupt lands in it
                                        inner.countDown();
                                        return TaskGroupContract.park();
                                    });
                        }
                        return TaskGroupContract.park(); // ends only if the interrupt was given back
                    });
                    inner.await();
                    outer.cancel();
                    outer.join();
                }
                return null;
            });
        }

        @Test
        void anInlineForkLeavesAnUninterruptedOwnerUninterruptedEvenIfTheTaskInterruptsItself() throws Exception {
            TaskGroupFactory inline = factoryWith(Runnable::run);
            try (TaskGroup group = inline.open("g")) {
                group.fork(() -> {
                    Thread.currentThread().interrupt();
                    return null;
                });
                assertThat(Thread.currentThread().isInterrupted()).isFalse();
                group.join();
            }
        }
    }

    // ---------------------------------------------------------------- 5. leaked groups

    @Nested
    @DisplayName("5. a group a task leaves open is never inherited")
    class LeakedGroups {

        @RepeatedTest(3)
        void aGroupLeakedByATaskDoesNotBecomeTheParentOfTheNextTasksGroup() throws Exception {
            ExecutorService oneThread = Executors.newSingleThreadExecutor();
            extraPools.add(oneThread);
            TaskGroupFactory pooled = factoryWith(oneThread);
            List<LogRecord> warnings = new CopyOnWriteArrayList<>();
            Handler handler = capture(warnings);
            Logger logger = Logger.getLogger(DefaultTaskGroup.class.getName());
            logger.addHandler(handler);
            try {
                AtomicReference<TaskGroup> leaked = new AtomicReference<>();
                bounded(() -> pooled.run(
                        "a",
                        g -> g.fork(() -> {
                                    leaked.set(pooled.open("leaked")); // a bug: never closed
                                    return null;
                                })
                                .get()));
                assertThat(pooled.liveGroups()).singleElement().satisfies(snapshot -> {
                    assertThat(snapshot.name()).isEqualTo("leaked");
                    assertThat(snapshot.leaked()).isTrue();
                });
                String parentOfNext = bounded(() -> pooled.run(
                        "b",
                        g -> g.fork(() -> {
                                    try (TaskGroup mine = pooled.open("mine")) {
                                        // (no fork here: the pool's only thread is this one)
                                        return ((DefaultTaskGroup) mine)
                                                        .parent()
                                                        .name()
                                                + mine.cancellationReason()
                                                        .map(reason -> " cancelled: " + reason)
                                                        .orElse("");
                                    }
                                })
                                .get()));
                assertThat(parentOfNext).isEqualTo("b");
                assertThat(warnings)
                        .filteredOn(r -> r.getMessage().contains("'leaked'"))
                        .hasSize(1);
                leaked.get().close();
            } finally {
                logger.removeHandler(handler);
            }
            assertThat(pooled.liveGroups()).isEmpty();
        }

        @Test
        void aGroupLeakedByATaskRunInlineDoesNotAdoptTheOwnersNextGroup() throws Exception {
            TaskGroupFactory inline = factoryWith(Runnable::run);
            AtomicReference<TaskGroup> leaked = new AtomicReference<>();
            try (TaskGroup group = inline.open("owner")) {
                group.fork(() -> {
                    leaked.set(inline.open("leaked")); // a bug: never closed
                    return null;
                });
                assertThat(CurrentTaskGroup.get()).containsSame(group);
                group.join();
            }
            assertThat(CurrentTaskGroup.get()).isEmpty();
            try (TaskGroup next = inline.open("next")) {
                assertThat(((DefaultTaskGroup) next).parent()).isNull();
                assertThat(next.fork(() -> 1).get()).isEqualTo(1);
                next.join();
            }
            leaked.get().close();
        }

        static Handler capture(List<LogRecord> records) {
            return new Handler() {
                @Override
                public void publish(LogRecord record) {
                    records.add(record);
                }

                @Override
                public void flush() {}

                @Override
                public void close() {}
            };
        }
    }

    // ---------------------------------------------------------------- 6. fork racing close

    @Nested
    @DisplayName("6. a fork racing close() either wins or loses")
    class ForkRacingClose {

        @RepeatedTest(3)
        void noTaskEverRunsOrForksInAClosedGroup() throws Exception {
            int forkers = 3;
            int rounds = 300;
            bounded(() -> {
                for (int round = 0; round < rounds; round++) {
                    raceOnce(forkers);
                }
                return null;
            });
        }

        private void raceOnce(int forkers) throws Exception {
            TaskGroup group = factory.open("raced");
            DefaultTaskGroup.leaveTask(null); // closed from another thread: do not keep it bound to this one
            CyclicBarrier start = new CyclicBarrier(forkers + 1);
            List<String> violations = new CopyOnWriteArrayList<>();
            List<Task<?>> won = new CopyOnWriteArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int f = 0; f < forkers; f++) {
                Thread forker = new Thread(() -> {
                    try {
                        start.await();
                        while (true) {
                            won.add(group.fork(() -> {
                                if (group.state() == TaskGroup.State.CLOSED) {
                                    violations.add("ran in a closed group");
                                }
                                try {
                                    group.fork(() -> null); // a fork from a task that won never says "closed"
                                } catch (IllegalStateException e) {
                                    violations.add("a task's fork failed: " + e.getMessage());
                                }
                                return null;
                            }));
                        }
                    } catch (IllegalStateException lost) {
                        // lost the race: fine, as long as that task never runs
                    } catch (Exception e) {
                        violations.add(e.toString());
                    }
                });
                forker.start();
                threads.add(forker);
            }
            start.await();
            Throwable closed = catchThrowable(group::close);
            for (Thread thread : threads) {
                thread.join();
            }
            assertThat(closed).as("close").isNull();
            assertThat(violations).isEmpty();
            assertThat(won).allSatisfy(task -> assertThat(task.state().isDone()).isTrue());
        }
    }

    // ---------------------------------------------------------------- 7. bounded messages

    @Nested
    @DisplayName("7. failure messages are bounded whatever the depth")
    class BoundedMessages {

        @Test
        void aFailureFiveHundredGroupsDeepHasShortMessagesAtEveryLevel() {
            Throwable thrown = bounded(() -> catchThrowable(() -> factory.run("level-0", g -> nest(g, 1, 500))));
            assertThat(thrown).isInstanceOf(TaskGroupException.class);
            assertThat(thrown.getMessage())
                    .contains("level-0")
                    .contains("deep failure")
                    .hasSizeLessThan(1_000);
            long total = 0;
            int depth = 0;
            for (Throwable t = thrown; t != null; t = t.getCause()) {
                assertThat(t.getMessage()).hasSizeLessThan(1_000);
                total += t.getMessage().length();
                depth++;
            }
            assertThat(depth).isGreaterThan(500);
            assertThat(total).isLessThan(500_000);
        }

        private Object nest(TaskGroup group, int level, int depth) {
            return group.fork("step-" + level, () -> {
                if (level == depth) {
                    throw new IllegalStateException("deep failure\nwith a second line that is not repeated");
                }
                return factory.run("level-" + level, g -> nest(g, level + 1, depth));
            });
        }
    }
}
