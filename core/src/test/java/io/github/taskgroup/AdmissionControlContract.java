package io.github.taskgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Admission control: the group's queue bound ({@code maxQueued}), shared limits (bulkheads) and
 * {@code tryFork}. Deterministic: latches and Awaitility, never a sleep.
 */
abstract class AdmissionControlContract {

    ExecutorService executor;
    AdmissionListener events;
    DefaultTaskGroupFactory factory;

    abstract ExecutorService newExecutor();

    /** Records the admission events besides the usual balance. */
    static final class AdmissionListener implements TaskGroupListener {
        final RecordingListener base = new RecordingListener();
        final Map<String, Long> waited = new ConcurrentHashMap<>();
        final List<String> rejected = new CopyOnWriteArrayList<>();

        @Override
        public void groupClosed(TaskGroup group, TaskGroup.Outcome outcome, long durationNanos) {
            base.groupClosed(group, outcome, durationNanos);
        }

        @Override
        public void taskForked(Task<?> task) {
            base.taskForked(task);
        }

        @Override
        public void taskStarted(Task<?> task) {
            if (!task.group().name().equals("free") // the one group here without admission control
                    && !waited.containsKey(task.group().name() + "/" + task.name())) {
                base.violations.add("started before admitted: " + task);
            }
            base.taskStarted(task);
        }

        @Override
        public void taskFinished(Task<?> task, long runNanos) {
            base.taskFinished(task, runNanos);
        }

        @Override
        public void taskAdmitted(Task<?> task, long waitedNanos) {
            if (waitedNanos < 0) {
                base.violations.add("negative wait: " + task);
            }
            if (waited.put(task.group().name() + "/" + task.name(), waitedNanos) != null) {
                base.violations.add("admitted twice: " + task);
            }
        }

        @Override
        public void forkRejected(TaskGroup group, TaskRejectedException.Reason reason) {
            rejected.add(group.name() + ":" + reason.value());
        }
    }

    @BeforeEach
    void setUp() {
        executor = newExecutor();
        events = new AdmissionListener();
        factory = (DefaultTaskGroupFactory) TaskGroupFactory.builder()
                .executor(executor)
                .listener(events)
                .limit("pricing", 1, 2)
                .limit("wide", 3, 5)
                .limit("unbounded", 1)
                .build();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        factory.close();
        executor.shutdown();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        RecordingListener base = events.base;
        assertThat(base.forked.get()).isEqualTo(base.succeeded.get() + base.failed.get() + base.cancelled.get());
        assertThat(base.violations).as("listener contract").isEmpty();
        for (String name : List.of("pricing", "wide", "unbounded")) {
            ConcurrencyLimit limit = factory.limitOrNull(name);
            assertThat(limit.inUse()).as("permits of " + name + " left held").isZero();
            assertThat(limit.waiting()).as("tasks of " + name + " left waiting").isZero();
        }
    }

    @RepeatedTest(5)
    void aForkWhosePropagatorThrowsTakesNoPermitWithIt() throws Exception {
        AtomicBoolean failNext = new AtomicBoolean(true);
        ContextPropagator hostile = (task) -> {
            if (failNext.getAndSet(false)) {
                throw new IllegalStateException("injected: propagator");
            }
            return task;
        };
        try (TaskGroupFactory own = TaskGroupFactory.builder()
                .executor(executor)
                .contextPropagator(hostile)
                .limit("pricing", 1, 1)
                .build()) {
            for (TaskGroupOptions options : List.of(queue(1, 1), limit("pricing"))) {
                failNext.set(true);
                try (TaskGroup group = own.open("propagator", options)) {
                    assertThatThrownBy(() -> group.fork("lost", () -> "never"))
                            .isInstanceOf(IllegalStateException.class)
                            .hasMessage("injected: propagator");
                    // the failed fork gave nothing away: the group's one permit and queue place are free
                    Task<String> first = group.fork("first", () -> "ran");
                    Task<String> second = group.fork("second", () -> "ran too");
                    group.join();
                    assertThat(first.get()).isEqualTo("ran");
                    assertThat(second.get()).isEqualTo("ran too");
                }
            }
        }
    }

    private static TaskGroupOptions queue(int maxConcurrency, int maxQueued) {
        return TaskGroupOptions.builder()
                .maxConcurrency(maxConcurrency)
                .maxQueued(maxQueued)
                .build();
    }

    private static TaskGroupOptions limit(String name) {
        return TaskGroupOptions.builder().limit(name).build();
    }

    private static Void hold(CountDownLatch latch) throws InterruptedException {
        latch.await(); // cancelled by interrupt when the test fails
        return null;
    }

    // ---------------------------------------------------------------- the group's queue

    @RepeatedTest(10)
    void aForkBeyondRunningAndQueuedIsRefusedAtOnceAndTheGroupGoesOn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (TaskGroup group = factory.open("orders", queue(1, 1))) {
            Task<Void> running = group.fork("running", () -> hold(release));
            Task<String> queued = group.fork("queued", () -> "queued");
            await().until(() -> running.state() == Task.State.RUNNING);

            TaskRejectedException refused =
                    catchThrowableOfType(() -> group.fork("third", () -> "no"), TaskRejectedException.class);
            assertThat(refused).isInstanceOf(RejectedExecutionException.class);
            assertThat(refused.groupName()).isEqualTo("orders");
            assertThat(refused.reason()).isEqualTo(TaskRejectedException.Reason.QUEUE_FULL);
            assertThat(refused.limitName()).isEmpty();
            assertThat(refused.maxQueued()).isEqualTo(1);
            assertThat(refused)
                    .hasMessage("Task group 'orders' refused to fork 'third': its 1 concurrency permits are taken "
                            + "and its queue is full (maxQueued 1)");
            assertThat(group.tryFork("fourth", () -> "no")).isEmpty();
            assertThat(group.tryFork(() -> "no")).isEmpty();
            assertThat(events.rejected).containsExactly("orders:queue-full", "orders:queue-full", "orders:queue-full");

            assertThat(queued.state()).isEqualTo(Task.State.PENDING);
            assertThat(group.state()).isEqualTo(TaskGroup.State.OPEN);
            release.countDown();
            group.join(); // nothing failed: the refusals are not failures of the group
            assertThat(running.state()).isEqualTo(Task.State.SUCCEEDED);
            assertThat(queued.get()).isEqualTo("queued");

            Optional<Task<String>> later = group.tryFork("later", () -> "later");
            assertThat(later).isPresent();
            group.join();
            assertThat(later.get().get()).isEqualTo("later");
            assertThat(later.get().name()).isEqualTo("later");
            assertThat(events.base.forked.get()).isEqualTo(3); // refused forks are not tasks
        }
        assertThat(events.base.outcomes).containsExactly(TaskGroup.Outcome.SUCCEEDED);
    }

    @RepeatedTest(5)
    void maxQueuedZeroRunsOrRefuses() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (TaskGroup group = factory.open("strict", queue(2, 0))) {
            group.fork(() -> hold(release));
            group.fork(() -> hold(release));
            assertThatThrownBy(() -> group.fork(() -> "no"))
                    .isInstanceOf(TaskRejectedException.class)
                    .hasMessageContaining("refused to fork task-3");
            release.countDown();
            group.join();
            assertThat(group.fork(() -> "yes").get()).isEqualTo("yes");
        }
    }

    @RepeatedTest(10)
    void cancellingAQueuedTaskFreesItsPlaceAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (TaskGroup group = factory.open("orders", queue(1, 1))) {
            group.fork("running", () -> hold(release));
            Task<String> queued = group.fork("queued", () -> "never");
            assertThat(group.tryFork(() -> "no")).isEmpty();
            assertThat(queued.cancel()).isTrue();
            assertThat(queued.state()).isEqualTo(Task.State.CANCELLED);
            Task<String> next = group.fork("next", () -> "next"); // the place is free: admitted, not refused
            release.countDown();
            group.join();
            assertThat(next.get()).isEqualTo("next");
        }
        assertThat(events.waited).doesNotContainKey("orders/queued");
    }

    @Test
    void aForkIntoACancelledGroupIsNeverRefused() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (TaskGroup group = factory.open("orders", queue(1, 0))) {
            group.fork(() -> hold(release));
            group.cancel(CancellationReason.EXPLICIT);
            Task<String> late = group.fork(() -> "late");
            assertThat(late.state()).isEqualTo(Task.State.CANCELLED);
            group.join();
        }
        assertThat(events.rejected).isEmpty();
    }

    @Test
    void maxQueuedWithoutMaxConcurrencyHasNoEffect() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (TaskGroup group =
                factory.open("free", TaskGroupOptions.builder().maxQueued(0).build())) {
            for (int i = 0; i < 10; i++) {
                group.fork(() -> hold(release));
            }
            release.countDown();
            group.join();
        }
        assertThat(events.base.succeeded.get()).isEqualTo(10);
        assertThat(events.waited).isEmpty(); // no admission control: no admitted events either
    }

    // ---------------------------------------------------------------- shared limits

    @RepeatedTest(10)
    void aSharedLimitBoundsTasksAcrossGroupsAndRefusesWhenItsQueueIsFull() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ConcurrencyLimit pricing = factory.limitOrNull("pricing"); // 1 permit, 2 places
        try (TaskGroup a = factory.openRoot("request-a", limit("pricing"));
                TaskGroup b = factory.openRoot("request-b", limit("pricing"))) {
            Task<Void> holder = a.fork("holder", () -> hold(release));
            Task<String> waitingB = b.fork("waiting", () -> "b");
            Task<String> waitingA = a.fork("waiting", () -> "a");
            await().until(() -> holder.state() == Task.State.RUNNING);
            assertThat(pricing.inUse()).isEqualTo(1);
            assertThat(pricing.waiting()).isEqualTo(2);

            TaskRejectedException refused =
                    catchThrowableOfType(() -> b.fork("price", () -> "no"), TaskRejectedException.class);
            assertThat(refused.reason()).isEqualTo(TaskRejectedException.Reason.LIMIT_FULL);
            assertThat(refused.limitName()).contains("pricing");
            assertThat(refused.maxQueued()).isEqualTo(2);
            assertThat(refused)
                    .hasMessage("Task group 'request-b' refused to fork 'price': the 1 permits of shared limit "
                            + "'pricing' are taken and its queue is full (maxQueued 2)");
            assertThat(events.rejected).containsExactly("request-b:limit-full");

            assertThat(waitingA.state()).isEqualTo(Task.State.PENDING);
            assertThat(waitingB.state()).isEqualTo(Task.State.PENDING);
            release.countDown();
            a.join();
            b.join();
            assertThat(waitingA.get()).isEqualTo("a");
            assertThat(waitingB.get()).isEqualTo("b");
        }
        assertThat(events.waited.get("request-a/holder")).isZero();
        assertThat(events.waited.get("request-b/waiting")).isPositive();
    }

    @RepeatedTest(10)
    void permitsOfASharedLimitAreGrantedInTheOrderTasksAskedForThem() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> order = new CopyOnWriteArrayList<>();
        List<String> expected = new ArrayList<>();
        try (TaskGroup a = factory.openRoot("a", limit("unbounded"));
                TaskGroup b = factory.openRoot("b", limit("unbounded"))) {
            a.fork("holder", () -> hold(release));
            for (int i = 0; i < 20; i++) {
                TaskGroup group = i % 3 == 0 ? b : a;
                String name = group.name() + i;
                expected.add(name);
                group.fork(name, () -> order.add(name));
            }
            release.countDown();
            a.join();
            b.join();
        }
        assertThat(order).containsExactlyElementsOf(expected);
    }

    @RepeatedTest(10)
    void cancellingATaskWaitingForASharedPermitFreesItsPlaceAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ConcurrencyLimit pricing = factory.limitOrNull("pricing");
        try (TaskGroup group = factory.open("g", limit("pricing"))) {
            group.fork("holder", () -> hold(release));
            Task<String> first = group.fork("first", () -> "first");
            Task<String> second = group.fork("second", () -> "second");
            assertThat(group.tryFork(() -> "no")).isEmpty();
            assertThat(first.cancel()).isTrue();
            assertThat(first.state()).isEqualTo(Task.State.CANCELLED);
            assertThat(pricing.waiting()).isEqualTo(1);
            Task<String> third = group.tryFork("third", () -> "third").orElseThrow();
            release.countDown();
            group.join();
            assertThat(second.get()).isEqualTo("second");
            assertThat(third.get()).isEqualTo("third");
        }
        assertThat(events.base.started.get()).isEqualTo(3); // holder, second, third: never the cancelled one
    }

    @RepeatedTest(10)
    void aTaskWaitingForASharedPermitWhoseGroupIsCancelledEndsCancelledWithoutRunning() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean ran = new AtomicBoolean();
        ConcurrencyLimit pricing = factory.limitOrNull("pricing");
        try (TaskGroup other = factory.openRoot("other", limit("pricing"))) {
            Task<Void> holder = other.fork("holder", () -> hold(release));
            await().until(() -> holder.state() == Task.State.RUNNING);
            Task<Boolean> waiting;
            try (TaskGroup cancelled = factory.openRoot("cancelled", limit("pricing"))) {
                waiting = cancelled.fork("waiting", () -> ran.getAndSet(true));
                Task<String> otherWaiting = other.fork("after", () -> "after");
                cancelled.cancel(CancellationReason.SHUTDOWN);
                assertThat(waiting.state()).isEqualTo(Task.State.CANCELLED);
                assertThat(waiting.cancellationReason()).isEqualTo(CancellationReason.SHUTDOWN);
                assertThat(pricing.waiting()).isEqualTo(1); // only the other group's
                assertThatThrownBy(cancelled::join).isInstanceOf(java.util.concurrent.CancellationException.class);
                assertThat(holder.state()).isEqualTo(Task.State.RUNNING);
                release.countDown();
                other.join();
                assertThat(otherWaiting.get()).isEqualTo("after");
            }
        }
        assertThat(ran).isFalse();
    }

    @RepeatedTest(10)
    void aGroupLimitAndASharedLimitCombine() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        TaskGroupOptions both = TaskGroupOptions.builder()
                .maxConcurrency(2)
                .maxQueued(1)
                .limit("unbounded")
                .build();
        try (TaskGroup other = factory.openRoot("other", limit("unbounded"));
                TaskGroup group = factory.openRoot("both", both)) {
            other.fork("holder", () -> {
                holding.countDown();
                return hold(release);
            });
            holding.await();
            List<Task<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 3; i++) { // 2 hold the group's permits and wait for the shared one, 1 queued
                tasks.add(group.fork(() -> {
                    int now = running.incrementAndGet();
                    maxRunning.accumulateAndGet(now, Math::max);
                    running.decrementAndGet();
                    return now;
                }));
            }
            assertThat(group.tryFork(() -> 0)).as("group queue full").isEmpty();
            assertThat(events.rejected).containsExactly("both:queue-full");
            assertThat(factory.limitOrNull("unbounded").waiting()).isEqualTo(2);
            release.countDown();
            other.join();
            group.join();
            for (Task<Integer> task : tasks) {
                assertThat(task.state()).isEqualTo(Task.State.SUCCEEDED);
            }
        }
        assertThat(maxRunning.get()).isEqualTo(1);
    }

    @Test
    void aGroupThatUsesAnUnknownLimitDoesNotOpen() {
        assertThatThrownBy(() -> factory.open("g", limit("inventory")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Task group 'g' uses the shared limit 'inventory', which the factory does not have; "
                        + "it has [pricing, unbounded, wide]");
        assertThat(factory.liveGroups()).isEmpty();
        assertThat(CurrentTaskGroup.get()).isEmpty();
    }

    @Test
    void invalidBoundsFailWhenTheyAreSet() {
        assertThatThrownBy(() -> TaskGroupOptions.builder().maxQueued(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxQueued must be at least 0, but was -1");
        assertThatThrownBy(() -> TaskGroupOptions.builder().limit(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit must not be blank");
        assertThatThrownBy(() -> TaskGroupFactory.builder().limit("pricing", 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxConcurrency of limit 'pricing' must be at least 1, but was 0");
        assertThatThrownBy(() -> TaskGroupFactory.builder().limit("pricing", 1, -2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxQueued of limit 'pricing' must be at least 0, but was -2");
        assertThatThrownBy(() -> TaskGroupFactory.builder().limit("", 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit name must not be blank");
    }

    @Test
    void optionsFallBackLikeTheOthers() {
        TaskGroupOptions own = TaskGroupOptions.builder().maxQueued(3).build();
        TaskGroupOptions fallback =
                TaskGroupOptions.builder().maxQueued(7).limit("pricing").build();
        TaskGroupOptions resolved = own.orElse(fallback);
        assertThat(resolved.maxQueued()).hasValue(3);
        assertThat(resolved.limit()).contains("pricing");
        assertThat(resolved.toBuilder().build()).isEqualTo(resolved);
        assertThat(TaskGroupOptions.builder().maxQueued(0).build().maxQueued()).hasValue(0);
        assertThat(TaskGroupOptions.defaults().maxQueued()).isEmpty();
        assertThat(TaskGroupOptions.defaults().limit()).isEmpty();
    }

    // ---------------------------------------------------------------- under contention

    /**
     * Threads fork with tryFork into groups sharing a limit while others cancel tasks and groups at random:
     * never more tasks run than the limit allows, every admitted task ends, and nothing stays held or queued.
     */
    @RepeatedTest(20)
    void underContentionTheSharedLimitHoldsAndNothingLeaks() throws Exception {
        int threads = 4;
        int forksPerThread = 200;
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        AtomicLong refused = new AtomicLong();
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> forkers = new ArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            int index = t;
            Thread forker = new Thread(() -> {
                TaskGroupOptions options = index % 2 == 0
                        ? limit("wide")
                        : TaskGroupOptions.builder()
                                .maxConcurrency(2)
                                .maxQueued(3)
                                .limit("wide")
                                .policy(TaskGroupPolicy.SUPERVISE)
                                .build();
                try (TaskGroup group = factory.open("stress-" + index, options)) {
                    start.await();
                    List<Task<Integer>> forked = new ArrayList<>();
                    for (int i = 0; i < forksPerThread; i++) {
                        Optional<Task<Integer>> task = group.tryFork(() -> {
                            int now = running.incrementAndGet();
                            maxRunning.accumulateAndGet(now, Math::max);
                            Thread.yield();
                            running.decrementAndGet();
                            return now;
                        });
                        if (task.isEmpty()) {
                            refused.incrementAndGet();
                        } else {
                            forked.add(task.get());
                        }
                        int dice = ThreadLocalRandom.current().nextInt(10);
                        if (dice == 0 && !forked.isEmpty()) {
                            forked.get(ThreadLocalRandom.current().nextInt(forked.size()))
                                    .cancel();
                        } else if (dice == 1) {
                            Thread.yield();
                        }
                    }
                    if (index == 3) {
                        group.cancel(CancellationReason.EXPLICIT); // a whole group gives up its waiting tasks
                    }
                    group.join();
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            forkers.add(forker);
            forker.start();
        }
        for (Thread forker : forkers) {
            forker.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(forker.isAlive()).as("forker hangs").isFalse();
        }
        assertThat(errors).isEmpty();
        assertThat(maxRunning.get()).isLessThanOrEqualTo(3);
        RecordingListener base = events.base;
        assertThat(base.forked.get() + refused.get()).isEqualTo((long) threads * forksPerThread);
        assertThat(events.rejected).hasSize((int) refused.get());
        assertThat(base.succeeded.get() + base.cancelled.get()).isEqualTo(base.forked.get()); // nothing failed
    }

    @Test
    void aWaitIsMeasuredFromTheForkToThePermit() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (TaskGroup group = factory.open("timed", queue(1, 5))) {
            group.fork("first", () -> hold(release));
            group.fork("second", () -> null);
            long forkedAt = System.nanoTime();
            await().atLeast(Duration.ofMillis(20)).until(() -> System.nanoTime() - forkedAt >= 20_000_000L);
            release.countDown();
            group.join();
        }
        assertThat(events.waited.get("timed/first")).isZero();
        assertThat(events.waited.get("timed/second")).isGreaterThanOrEqualTo(20_000_000L);
    }
}
