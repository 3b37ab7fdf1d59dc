package io.github.taskgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * The one-line helpers of {@link TaskGroups}, run once per executor kind by the subclasses. Nothing waits
 * with sleep: tasks that must "run for a long time" park on a latch that is never released, and count
 * their interrupts, so that the tests see their cancellation.
 */
abstract class TaskGroupsContract {

    /** Parks until interrupted. */
    static final CountDownLatch NEVER = new CountDownLatch(1);

    ExecutorService executor;
    RecordingListener events;
    TaskGroupFactory factory;
    /** Tasks that parked and were interrupted out of it. */
    final AtomicInteger interrupted = new AtomicInteger();

    abstract ExecutorService newExecutor();

    @BeforeEach
    void setUp() {
        executor = newExecutor();
        events = new RecordingListener();
        factory = TaskGroupFactory.builder()
                .executor(executor)
                .listener(events)
                .group(
                        "slow",
                        TaskGroupOptions.builder()
                                .timeout(Duration.ofMillis(100))
                                .build())
                .build();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        java.util.Optional<TaskGroup> leftOpen = CurrentTaskGroup.get();
        DefaultTaskGroup.leaveTask(null);
        assertThat(leftOpen).as("group left open on the test thread").isEmpty();
        assertThat(factory.liveGroups()).as("every helper closed its group").isEmpty();
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

    /** Parks until interrupted, and counts the interrupt. */
    <T> T park() throws InterruptedException {
        try {
            NEVER.await();
            return null;
        } catch (InterruptedException e) {
            interrupted.incrementAndGet();
            throw e;
        }
    }

    /** Counts down {@code started}, then parks until interrupted. */
    <T> Callable<T> parkAfter(CountDownLatch started) {
        return () -> {
            started.countDown();
            return park();
        };
    }

    /** Runs a helper on a thread of its own, so that the test can watch, release or interrupt it. */
    static final class Caller<T> {
        final FutureTask<T> future;
        final Thread thread;

        Caller(Callable<T> call) {
            future = new FutureTask<>(call);
            thread = new Thread(future, "caller");
            thread.start();
        }

        T result() throws Exception {
            return future.get(30, TimeUnit.SECONDS);
        }

        Throwable failure() throws Exception {
            try {
                future.get(30, TimeUnit.SECONDS);
                return null;
            } catch (ExecutionException e) {
                return e.getCause();
            }
        }
    }

    @Nested
    @DisplayName("all")
    class All {

        @RepeatedTest(20)
        void returnsTheResultsInInputOrderWhateverOrderTheyFinishIn() throws Exception {
            int n = 5;
            CountDownLatch[] done = new CountDownLatch[n + 1];
            Arrays.setAll(done, i -> new CountDownLatch(i == n ? 0 : 1));
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                tasks.add(
                        () -> { // finishes after the task to its right: the last finishes first
                            done[index + 1].await();
                            done[index].countDown();
                            return index * 10;
                        });
            }
            assertThat(TaskGroups.all(factory, "all", tasks)).containsExactly(0, 10, 20, 30, 40);
            assertThat(events.outcomes).containsExactly(TaskGroup.Outcome.SUCCEEDED);
        }

        @Test
        void acceptsListOfLambdasAndKeepsNullResults() throws Exception {
            List<String> results = TaskGroups.all(factory, "all", List.of(() -> "a", () -> null, () -> "c"));
            assertThat(results).containsExactly("a", null, "c");
            assertThatThrownBy(() -> results.add("d")).isInstanceOf(UnsupportedOperationException.class);
        }

        @RepeatedTest(20)
        void theFirstFailureCancelsTheSiblingsAndIsReportedAlone() throws Exception {
            CountDownLatch started = new CountDownLatch(2);
            IllegalStateException boom = new IllegalStateException("boom");
            Throwable thrown = catchThrowable(() -> TaskGroups.all(
                    factory, "all", List.<Callable<Object>>of(parkAfter(started), parkAfter(started), () -> {
                        started.await();
                        throw boom;
                    })));
            assertThat(thrown).isInstanceOf(TaskGroupException.class).hasCause(boom);
            assertThat(((TaskGroupException) thrown).failures()).containsExactly(boom);
            assertThat(interrupted).as("both siblings were interrupted").hasValue(2);
            assertThat(events.cancelledWith(CancellationReason.SIBLING_FAILURE)).isEqualTo(2);
        }

        @RepeatedTest(20)
        void aCheckedFailureComesBackAsItselfWithRethrowIfSingle() throws Exception {
            CountDownLatch started = new CountDownLatch(1);
            IOException io = new IOException("disk");
            Throwable thrown = catchThrowable(() -> {
                try {
                    TaskGroups.all(factory, "all", List.<Callable<Object>>of(parkAfter(started), () -> {
                        started.await();
                        throw io;
                    }));
                } catch (TaskGroupException e) {
                    throw e.rethrowIfSingle(IOException.class);
                }
            });
            assertThat(thrown).isSameAs(io);
            assertThat(interrupted).hasValue(1);
        }

        @Test
        void anEmptyListIsAnEmptyResultAndOpensNoGroup() throws Exception {
            assertThat(TaskGroups.all(factory, "all", List.<Callable<String>>of()))
                    .isEmpty();
            assertThat(TaskGroups.map(factory, "map", List.<String>of(), 2, String::length))
                    .isEmpty();
            assertThat(events.opened).hasValue(0);
        }

        @RepeatedTest(20)
        void twoTypedResultsAreCombined() throws Exception {
            String page =
                    TaskGroups.all(factory, "page", () -> 42, () -> "in stock", (price, stock) -> price + " " + stock);
            assertThat(page).isEqualTo("42 in stock");
        }

        @RepeatedTest(20)
        void threeTypedResultsAreCombined() throws Exception {
            String page = TaskGroups.all(
                    factory, "page", () -> 1, () -> 2L, () -> "three", (a, b, c) -> a + "," + b + "," + c);
            assertThat(page).isEqualTo("1,2,three");
        }

        @RepeatedTest(20)
        void aTypedFailureCancelsTheOtherAndTheCombinerNeverRuns() {
            CountDownLatch started = new CountDownLatch(1);
            IllegalStateException boom = new IllegalStateException("boom");
            AtomicInteger combined = new AtomicInteger();
            Throwable thrown = catchThrowable(() -> TaskGroups.all(
                    factory,
                    "page",
                    parkAfter(started),
                    () -> {
                        started.await();
                        throw boom;
                    },
                    (a, b) -> combined.incrementAndGet()));
            assertThat(thrown).isInstanceOf(TaskGroupException.class).hasCause(boom);
            assertThat(interrupted).hasValue(1);
            assertThat(combined).hasValue(0);
        }

        @Test
        void whatTheCombinerThrowsPropagatesAsItIs() {
            IllegalArgumentException bad = new IllegalArgumentException("bad");
            assertThatThrownBy(() -> TaskGroups.all(factory, "page", () -> 1, () -> 2, (a, b) -> {
                        throw bad;
                    }))
                    .isSameAs(bad);
            assertThat(events.outcomes).containsExactly(TaskGroup.Outcome.SUCCEEDED);
        }
    }

    @Nested
    @DisplayName("race")
    class Race {

        @RepeatedTest(20)
        void theFirstSuccessWinsAndTheLosersAreCancelledAndTheirFailuresIgnored() throws Exception {
            CountDownLatch started = new CountDownLatch(2);
            String winner = TaskGroups.race(
                    factory,
                    "race",
                    List.<Callable<String>>of(
                            parkAfter(started),
                            parkAfter(started),
                            () -> {
                                throw new IllegalStateException("loser");
                            },
                            () -> {
                                started.await();
                                await().until(() -> events.failed.get() == 1);
                                return "win";
                            }));
            assertThat(winner).isEqualTo("win");
            assertThat(interrupted).as("the parked losers were interrupted").hasValue(2);
            assertThat(events.cancelledWith(CancellationReason.FIRST_SUCCESS)).isEqualTo(2);
            assertThat(events.outcomes).containsExactly(TaskGroup.Outcome.SUCCEEDED);
        }

        @RepeatedTest(20)
        void aNullResultCanWin() throws Exception {
            CountDownLatch started = new CountDownLatch(1);
            assertThat(TaskGroups.<String>race(factory, "race", List.of(parkAfter(started), () -> {
                        started.await();
                        return null;
                    })))
                    .isNull();
            assertThat(interrupted).hasValue(1);
        }

        @RepeatedTest(20)
        void whenEveryTaskFailsEveryFailureIsReported() throws Exception {
            IllegalStateException a = new IllegalStateException("a");
            IOException b = new IOException("b");
            Throwable thrown = catchThrowable(() -> TaskGroups.race(
                    factory,
                    "race",
                    List.<Callable<String>>of(
                            () -> {
                                throw a;
                            },
                            () -> {
                                throw b;
                            })));
            assertThat(thrown).isInstanceOf(TaskGroupException.class);
            TaskGroupException report = (TaskGroupException) thrown;
            assertThat(report.failures()).containsExactlyInAnyOrder(a, b);
            assertThat(report.failures(IOException.class)).containsExactly(b);
            assertThat(report.rethrowIfSingle(IOException.class)).isSameAs(report);
        }

        @Test
        void anEmptyRaceIsRejected() {
            assertThatThrownBy(() -> TaskGroups.race(factory, "race", List.<Callable<String>>of()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("tasks");
            assertThat(events.opened).hasValue(0);
        }
    }

    @Nested
    @DisplayName("map")
    class Map {

        @RepeatedTest(20)
        void atMostMaxConcurrencyItemsAreMappedAtOnceAndResultsKeepTheInputOrder() throws Exception {
            int limit = 3;
            AtomicInteger running = new AtomicInteger();
            AtomicInteger maxRunning = new AtomicInteger();
            CountDownLatch gate = new CountDownLatch(1);
            List<Integer> items = IntStream.range(0, 20).boxed().collect(Collectors.toList());
            Caller<List<String>> caller = new Caller<>(() -> TaskGroups.map(factory, "map", items, limit, item -> {
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                gate.await();
                running.decrementAndGet();
                return "#" + item;
            }));
            await().until(() -> running.get() == limit);
            assertThat(factory.liveGroups())
                    .singleElement()
                    .satisfies(group -> assertThat(group.tasks())
                            .hasSize(20)
                            .filteredOn(t -> t.state() == Task.State.PENDING)
                            .hasSize(17));
            gate.countDown();
            assertThat(caller.result())
                    .containsExactlyElementsOf(items.stream().map(i -> "#" + i).collect(Collectors.toList()));
            assertThat(maxRunning).hasValue(limit);
        }

        @RepeatedTest(20)
        void theFirstFailureCancelsTheRunningItemsAndTheWaitingOnesNeverStart() {
            CountDownLatch started = new CountDownLatch(1);
            AtomicInteger mapped = new AtomicInteger();
            IOException io = new IOException("item 1");
            Throwable thrown = catchThrowable(() -> TaskGroups.map(
                    factory, "map", IntStream.range(0, 10).boxed().collect(Collectors.toList()), 2, item -> {
                        mapped.incrementAndGet();
                        if (item == 0) {
                            started.countDown();
                            return park();
                        }
                        started.await();
                        throw io;
                    }));
            assertThat(thrown).isInstanceOf(TaskGroupException.class).hasCause(io);
            assertThat(((TaskGroupException) thrown).failures()).containsExactly(io);
            assertThat(interrupted).hasValue(1);
            assertThat(mapped).as("items 2 to 9 never started").hasValue(2);
        }

        @RepeatedTest(20)
        void withALimitOfOneItemsAreMappedOneAfterTheOtherInOrder() throws Exception {
            List<Integer> order = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<Integer> items = IntStream.range(0, 30).boxed().collect(Collectors.toList());
            List<Integer> results = TaskGroups.map(factory, "map", items, 1, item -> {
                order.add(item);
                return item * 2;
            });
            assertThat(order).isEqualTo(items);
            assertThat(results).isEqualTo(items.stream().map(i -> i * 2).collect(Collectors.toList()));
        }

        @Test
        void aLimitBelowOneIsRejected() {
            for (int limit : new int[] {0, -1, Integer.MIN_VALUE}) {
                assertThatThrownBy(() -> TaskGroups.map(factory, "map", List.of(1), limit, item -> item))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("maxConcurrency")
                        .hasMessageContaining(String.valueOf(limit));
            }
            assertThat(events.opened).hasValue(0);
        }
    }

    @Nested
    @DisplayName("nesting, deadlines, interruption")
    class Structure {

        @RepeatedTest(20)
        void insideATaskTheHelpersGroupIsAChildAndIsCancelledWithTheParent() throws Exception {
            CountDownLatch started = new CountDownLatch(2);
            IllegalStateException boom = new IllegalStateException("boom");
            AtomicReference<Throwable> helperOutcome = new AtomicReference<>();
            TaskGroup outer = factory.open("outer");
            outer.fork("runs-helper", () -> {
                try {
                    return TaskGroups.all(factory, "nested", List.of(parkAfter(started), parkAfter(started)));
                } catch (Throwable e) {
                    helperOutcome.set(e);
                    throw e;
                }
            });
            started.await();
            assertThat(factory.liveGroups())
                    .singleElement()
                    .satisfies(root -> assertThat(root.groups())
                            .extracting(TaskGroupSnapshot::name)
                            .containsExactly("nested"));
            outer.fork(() -> {
                throw boom;
            });
            Throwable thrown = catchThrowable(outer::join);
            outer.close();
            assertThat(thrown).isInstanceOf(TaskGroupException.class);
            assertThat(((TaskGroupException) thrown).failures())
                    .as("the helper's echo is not a failure")
                    .containsExactly(boom);
            assertThat(interrupted)
                    .as("the nested tasks were cancelled with the parent")
                    .hasValue(2);
            assertThat(Failures.isEcho(helperOutcome.get())).isTrue();
        }

        @RepeatedTest(20)
        void aQuietCancelOfTheParentMakesTheHelperThrowCancellationOrInterrupted() throws Exception {
            CountDownLatch started = new CountDownLatch(1);
            AtomicReference<Throwable> helperOutcome = new AtomicReference<>();
            try (TaskGroup outer = factory.open("outer")) {
                outer.fork(() -> {
                    try {
                        return TaskGroups.race(factory, "nested", List.of(parkAfter(started)));
                    } catch (Throwable e) {
                        helperOutcome.set(e);
                        throw e;
                    }
                });
                started.await();
                outer.cancel();
                outer.join();
            }
            assertThat(interrupted).hasValue(1);
            assertThat(helperOutcome.get()).isInstanceOfAny(CancellationException.class, InterruptedException.class);
        }

        @RepeatedTest(20)
        void theDeadlineOfTheEnclosingGroupApplies() throws Exception {
            CountDownLatch started = new CountDownLatch(1);
            try (TaskGroup outer = factory.open(
                    "outer",
                    TaskGroupOptions.builder().timeout(Duration.ofMillis(100)).build())) {
                Throwable thrown = catchThrowable(() -> TaskGroups.map(
                        factory,
                        "nested",
                        List.of(1, 2),
                        1,
                        item -> parkAfter(started).call()));
                assertThat(thrown).isInstanceOf(TaskGroupTimeoutException.class);
                assertThat(((TaskGroupTimeoutException) thrown).timeout())
                        .as("the enclosing group's deadline")
                        .isNull();
                assertThat(((TaskGroupException) thrown).failures()).isEmpty();
            }
            assertThat(interrupted).hasValue(1);
            assertThat(events.cancelledWith(CancellationReason.TIMEOUT)).isEqualTo(2);
        }

        @RepeatedTest(20)
        void theOptionsRegisteredForTheNameApplyAndThePolicyIsTheHelpers() throws Exception {
            CountDownLatch started = new CountDownLatch(1);
            Throwable thrown = catchThrowable(() -> TaskGroups.race(factory, "slow", List.of(parkAfter(started))));
            assertThat(thrown).isInstanceOf(TaskGroupTimeoutException.class);
            assertThat(((TaskGroupTimeoutException) thrown).timeout()).isEqualTo(Duration.ofMillis(100));
            assertThat(interrupted).hasValue(1);
        }

        @RepeatedTest(20)
        void anInterruptedCallerCancelsAwaitsAndThrowsInterruptedException() throws Exception {
            CountDownLatch started = new CountDownLatch(3);
            AtomicInteger finished = new AtomicInteger();
            Callable<Object> parker = () -> {
                try {
                    return parkAfter(started).call();
                } finally {
                    finished.incrementAndGet();
                }
            };
            Caller<List<Object>> caller =
                    new Caller<>(() -> TaskGroups.all(factory, "all", List.of(parker, parker, parker)));
            started.await();
            await().until(() -> factory.liveGroups().stream().anyMatch(g -> g.state() == TaskGroup.State.JOINING));
            caller.thread.interrupt();
            assertThat(caller.failure()).isInstanceOf(InterruptedException.class);
            assertThat(finished)
                    .as("every task was awaited before the helper threw")
                    .hasValue(3);
            assertThat(interrupted).hasValue(3);
            assertThat(events.cancelledWith(CancellationReason.PARENT)).isEqualTo(3);
        }

        @RepeatedTest(20)
        void anInterruptedRaceCallerCancelsEveryCompetitor() throws Exception {
            CountDownLatch started = new CountDownLatch(2);
            Caller<Object> caller = new Caller<>(
                    () -> TaskGroups.race(factory, "race", List.of(parkAfter(started), parkAfter(started))));
            started.await();
            caller.thread.interrupt();
            assertThat(caller.failure()).isInstanceOf(InterruptedException.class);
            assertThat(interrupted).hasValue(2);
        }

        @RepeatedTest(20)
        void anInterruptedMapCallerCancelsTheRunningAndTheWaitingItems() throws Exception {
            CountDownLatch started = new CountDownLatch(2);
            AtomicInteger mapped = new AtomicInteger();
            Caller<List<Object>> caller =
                    new Caller<>(() -> TaskGroups.map(factory, "map", List.of(1, 2, 3, 4), 2, i -> {
                        mapped.incrementAndGet();
                        return parkAfter(started).call();
                    }));
            started.await();
            caller.thread.interrupt();
            assertThat(caller.failure()).isInstanceOf(InterruptedException.class);
            assertThat(interrupted).hasValue(2);
            assertThat(mapped).hasValue(2);
        }
    }

    @Nested
    @DisplayName("bad arguments")
    class BadArguments {

        final Callable<Integer> one = () -> 1;
        final List<Callable<Integer>> tasks = List.of(one);

        @Test
        void nullArgumentsAreRejectedByNameBeforeAnyGroupOpens() {
            assertNpe(() -> TaskGroups.all(null, "n", tasks), "factory");
            assertNpe(() -> TaskGroups.all(factory, null, tasks), "name");
            assertNpe(() -> TaskGroups.all(factory, "n", null), "tasks");
            assertNpe(() -> TaskGroups.all(factory, "n", Arrays.asList(one, null)), "tasks[1] is null");
            assertNpe(() -> TaskGroups.race(null, "n", tasks), "factory");
            assertNpe(() -> TaskGroups.race(factory, null, tasks), "name");
            assertNpe(() -> TaskGroups.race(factory, "n", null), "tasks");
            assertNpe(() -> TaskGroups.race(factory, "n", Arrays.asList(null, one)), "tasks[0] is null");
            assertNpe(() -> TaskGroups.map(null, "n", Set.of(1), 1, i -> i), "factory");
            assertNpe(() -> TaskGroups.map(factory, null, Set.of(1), 1, i -> i), "name");
            assertNpe(() -> TaskGroups.map(factory, "n", null, 1, i -> i), "items");
            assertNpe(() -> TaskGroups.map(factory, "n", Set.of(1), 1, null), "mapper");
            assertNpe(() -> TaskGroups.all(factory, "n", null, one, (a, b) -> a), "a");
            assertNpe(() -> TaskGroups.all(factory, "n", one, null, (a, b) -> a), "b");
            assertNpe(() -> TaskGroups.all(factory, "n", one, one, null), "combiner");
            assertNpe(() -> TaskGroups.all(factory, "n", one, one, null, (a, b, c) -> a), "c");
            assertNpe(() -> TaskGroups.all(factory, "n", one, one, one, null), "combiner");
            assertThat(events.opened).hasValue(0);
        }

        private void assertNpe(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
            assertThatThrownBy(call).isInstanceOf(NullPointerException.class).hasMessage(message);
        }

        @Test
        void aMapperNullItemIsPassedAsItIs() throws Exception {
            assertThat(TaskGroups.map(factory, "map", Arrays.asList("a", null), 2, item -> item == null ? 0 : 1))
                    .containsExactly(1, 0);
        }

        @Test
        void rethrowIfSingleMatchesSubtypes() throws Exception {
            FileNotFoundException missing = new FileNotFoundException("missing");
            Throwable thrown = catchThrowable(() -> {
                try {
                    TaskGroups.map(factory, "map", List.of("x"), 1, path -> {
                        throw missing;
                    });
                } catch (TaskGroupException e) {
                    throw e.rethrowIfSingle(IOException.class);
                }
            });
            assertThat(thrown).isSameAs(missing);
        }
    }
}
