package io.github.taskgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.github.taskgroup.DefaultTaskGroup.Transition;
import io.github.taskgroup.TaskGroup.State;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Drives every {@link DefaultTaskGroup.Transition} of a group's state, one scenario each, and asserts what users
 * see before and after: {@link TaskGroup#state()}, the group's snapshot, its cancellation reason, and what
 * {@code join()} and {@code close()} do. The scenarios are chosen by an exhaustive {@code switch} over the
 * transitions, so a transition added to the implementation without a scenario here does not compile; and
 * {@code DefaultTaskGroup.setState} asserts (surefire runs with {@code -ea}) that no other change ever happens, in
 * this test and in every other one. Waits use latches; racy scenarios are repeated.
 */
class GroupStateTransitionsTest {

    ExecutorService executor;
    ExecutorService helpers;
    RecordingListener events;
    TaskGroupFactory factory;

    /** Each scenario runs with a fresh factory, executor and listener, checked after. */
    private void withFixture(Executable scenario) throws Throwable {
        setUp();
        Throwable failed = null;
        try {
            scenario.execute();
        } catch (Throwable t) {
            failed = t;
            throw t;
        } finally {
            try {
                tearDown();
            } catch (Throwable t) {
                if (failed == null) {
                    throw t;
                }
                failed.addSuppressed(t);
            }
        }
    }

    void setUp() {
        executor = TaskGroupExecutors.platformThreads("transitions-");
        helpers = TaskGroupExecutors.platformThreads("transitions-helper-");
        events = new RecordingListener();
        factory = TaskGroupFactory.builder().executor(executor).listener(events).build();
    }

    void tearDown() throws InterruptedException {
        DefaultTaskGroup.leaveTask(null);
        factory.close();
        executor.shutdown();
        helpers.shutdown();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(helpers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(events.forked.get())
                .as("listener counts balance")
                .isEqualTo(events.succeeded.get() + events.failed.get() + events.cancelled.get());
        assertThat(events.violations).as("listener contract").isEmpty();
    }

    @TestFactory
    Stream<DynamicTest> everyListedTransitionIsDriven() {
        return Arrays.stream(Transition.values())
                .map(transition -> dynamicTest(
                        transition + " (" + transition.from + " -> " + transition.to + ")",
                        () -> withFixture(driver(transition))));
    }

    /** Exhaustive: a new constant of Transition without a scenario here is a compile error. */
    private Executable driver(Transition transition) {
        return switch (transition) {
            case JOIN_STARTS, JOIN_RETURNS -> this::joinStartsAndReturns;
            case CANCEL -> this::cancelWhileOpen;
            case CANCEL_WHILE_JOINING -> this::cancelWhileJoining;
            case CLOSE -> this::closeWhileOpen;
            case CLOSE_CANCELLED -> this::closeWhileCancelling;
            case CLOSE_WHILE_JOINING -> this::closeByAnotherThreadWhileTheOwnerJoins;
        };
    }

    @Test
    void theListIsExactlyTheLegalChanges() {
        EnumSet<State> states = EnumSet.allOf(State.class);
        int legal = 0;
        for (State from : states) {
            for (State to : states) {
                Transition transition = Transition.of(from, to);
                if (transition != null) {
                    legal++;
                    assertThat(transition.from).isEqualTo(from);
                    assertThat(transition.to).isEqualTo(to);
                }
            }
        }
        assertThat(legal).as("one constant per legal change").isEqualTo(Transition.values().length);
        for (State to : states) {
            assertThat(Transition.of(State.CLOSED, to))
                    .as("nothing leaves CLOSED")
                    .isNull();
        }
        assertThat(Transition.of(State.CANCELLING, State.OPEN)).isNull();
        assertThat(Transition.of(State.CANCELLING, State.JOINING)).isNull();
        assertThat(Transition.of(State.OPEN, State.OPEN)).isNull();
    }

    // ---------------------------------------------------------------- one scenario per transition

    /** JOIN_STARTS then JOIN_RETURNS: seen from a task while the owner waits, and after join() returns. */
    void joinStartsAndReturns() throws Exception {
        CountDownLatch seen = new CountDownLatch(1);
        State[] inJoin = new State[2];
        try (TaskGroup group = factory.open("g")) {
            assertStates(group, State.OPEN);
            Task<String> task = group.fork(() -> {
                await().until(() -> group.state() == State.JOINING);
                inJoin[0] = group.state();
                inJoin[1] = snapshotState(group);
                seen.countDown();
                return "done";
            });
            group.join();
            assertThat(seen.getCount()).isZero();
            assertThat(inJoin).containsExactly(State.JOINING, State.JOINING);
            assertStates(group, State.OPEN);
            assertThat(task.get()).isEqualTo("done");
            assertThat(group.cancellationReason()).isEmpty();

            // A join that times out also goes back to OPEN, and the group stays usable.
            CountDownLatch release = new CountDownLatch(1);
            Task<String> slow = group.fork(() -> {
                release.await();
                return "slow";
            });
            assertThat(group.join(Duration.ofMillis(1))).isFalse();
            assertStates(group, State.OPEN);
            release.countDown();
            group.join();
            assertStates(group, State.OPEN);
            assertThat(slow.get()).isEqualTo("slow");
        }
        assertThat(events.outcomes).containsExactly(TaskGroup.Outcome.SUCCEEDED);
    }

    /** CANCEL: an explicit cancel of an open group is quiet; the group stays CANCELLING through join(). */
    void cancelWhileOpen() throws Exception {
        TaskGroup group = factory.open("g");
        Task<Void> parked = group.fork(GroupStateTransitionsTest::park);
        assertStates(group, State.OPEN);
        assertThat(group.cancel(CancellationReason.EXPLICIT)).isTrue();
        assertStates(group, State.CANCELLING);
        assertThat(group.cancellationReason()).contains(CancellationReason.EXPLICIT);
        assertThat(((DefaultTaskGroup) group).snapshot(false).cancellationReason())
                .isEqualTo(CancellationReason.EXPLICIT);
        assertThat(group.cancel(CancellationReason.SHUTDOWN))
                .as("only the first cancel counts")
                .isFalse();
        group.join(); // quiet: the owner's own decision
        assertStates(group, State.CANCELLING); // JOIN_STARTS / JOIN_RETURNS do not apply once cancelled
        assertThat(parked.state()).isEqualTo(Task.State.CANCELLED);
        Task<String> late = group.fork(() -> "never runs");
        assertThat(late.state()).isEqualTo(Task.State.CANCELLED);
        group.close();
        assertStates(group, State.CLOSED);
        assertThat(events.outcomes).containsExactly(TaskGroup.Outcome.CANCELLED);
    }

    /** CANCEL_WHILE_JOINING: another thread cancels (loudly) while the owner waits; join() throws. */
    void cancelWhileJoining() throws Exception {
        try (TaskGroup group = factory.open("g")) {
            Task<Void> parked = group.fork(GroupStateTransitionsTest::park);
            Future<State[]> canceller = helpers.submit(() -> {
                await().until(() -> group.state() == State.JOINING);
                State before = snapshotState(group);
                group.cancel(CancellationReason.SHUTDOWN);
                return new State[] {before, group.state()};
            });
            assertThatThrownBy(group::join)
                    .isInstanceOf(CancellationException.class)
                    .hasMessageContaining("was cancelled (shutdown)");
            assertThat(canceller.get(10, TimeUnit.SECONDS)).containsExactly(State.JOINING, State.CANCELLING);
            assertStates(group, State.CANCELLING); // join() does not move it back to OPEN
            assertThat(group.cancellationReason()).contains(CancellationReason.SHUTDOWN);
            assertThat(parked.state()).isEqualTo(Task.State.CANCELLED);
        }
        assertThat(events.outcomes).containsExactly(TaskGroup.Outcome.CANCELLED);
    }

    /** CLOSE: a group never cancelled closes from OPEN once every task finished. */
    void closeWhileOpen() throws Exception {
        TaskGroup group = factory.open("g");
        Task<Integer> task = group.fork(() -> 42);
        group.join();
        assertStates(group, State.OPEN);
        group.close();
        assertStates(group, State.CLOSED);
        assertThat(group.cancellationReason()).isEmpty();
        assertThat(task.get()).isEqualTo(42);
        assertThatThrownBy(() -> group.fork(() -> 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed");
        assertThatThrownBy(group::join).isInstanceOf(IllegalStateException.class);
        group.close(); // idempotent: no transition out of CLOSED
        assertStates(group, State.CLOSED);
        assertThat(events.outcomes).containsExactly(TaskGroup.Outcome.SUCCEEDED);
    }

    /** CLOSE_CANCELLED: close() with a task still live cancels it (OPEN -> CANCELLING), waits, then closes. */
    void closeWhileCancelling() throws Exception {
        TaskGroup group = factory.open("g");
        CountDownLatch started = new CountDownLatch(1);
        Task<Void> parked = group.fork(() -> {
            started.countDown();
            return park();
        });
        started.await();
        group.close(); // the owner left without joining: explicit cancel, quiet
        assertStates(group, State.CLOSED);
        assertThat(group.cancellationReason()).contains(CancellationReason.EXPLICIT);
        assertThat(parked.state()).isEqualTo(Task.State.CANCELLED);

        // And from a group cancelled earlier, with nothing live.
        TaskGroup cancelled = factory.open("g");
        cancelled.cancel(CancellationReason.PARENT);
        assertStates(cancelled, State.CANCELLING);
        assertThatCode(cancelled::close)
                .as("close() does not report a cancellation from outside; only join() does")
                .doesNotThrowAnyException();
        assertStates(cancelled, State.CLOSED);
        assertThat(events.outcomes).containsExactly(TaskGroup.Outcome.CANCELLED, TaskGroup.Outcome.CANCELLED);
    }

    /**
     * CLOSE_WHILE_JOINING: the owner is in join() with nothing live (held there by its policy's onJoin), and
     * another thread closes the group: close() cancels nothing and closes from JOINING; join() then returns
     * normally and leaves the group CLOSED.
     */
    void closeByAnotherThreadWhileTheOwnerJoins() throws Exception {
        HoldingJoinPolicy policy = new HoldingJoinPolicy();
        TaskGroup group =
                factory.open("g", TaskGroupOptions.builder().policy(policy).build());
        Task<Integer> task = group.fork(() -> 7);
        group.join(); // not held: now nothing is live
        assertStates(group, State.OPEN);
        policy.hold = true;
        Future<State> closer = helpers.submit(() -> {
            policy.inJoin.await();
            try {
                State before = group.state();
                group.close();
                return before;
            } finally {
                policy.release.countDown();
            }
        });
        group.join();
        assertThat(closer.get(10, TimeUnit.SECONDS)).isEqualTo(State.JOINING);
        assertStates(group, State.CLOSED);
        assertThat(group.cancellationReason())
                .as("nothing was live: close() cancelled nothing")
                .isEmpty();
        assertThat(task.get()).isEqualTo(7);
        group.close(); // the owner's own close: nothing more happens
        assertStates(group, State.CLOSED);
        assertThat(events.outcomes).containsExactly(TaskGroup.Outcome.SUCCEEDED);
    }

    // ---------------------------------------------------------------- races, repeated

    /**
     * A non-owner close() racing the owner's join() while tasks end: whichever way it goes (CLOSE_WHILE_JOINING,
     * or CANCEL_WHILE_JOINING then CLOSE_CANCELLED, or JOIN_RETURNS then CLOSE / CANCEL then CLOSE_CANCELLED),
     * join() returns normally, close() too, every task is done and the group ends CLOSED.
     */
    @RepeatedTest(200)
    void nonOwnerCloseRacingJoin() throws Throwable {
        withFixture(this::nonOwnerCloseRacingJoinOnce);
    }

    private void nonOwnerCloseRacingJoinOnce() throws Exception {
        TaskGroup group = factory.open("g");
        CountDownLatch go = new CountDownLatch(1);
        Task<Integer> task = group.fork(() -> {
            go.await();
            return 1;
        });
        Future<?> closer = helpers.submit(() -> {
            go.countDown();
            group.close();
            return null;
        });
        try {
            group.join(); // quiet whatever happens: close() cancels explicitly
        } catch (IllegalStateException closedFirst) { // close() finished before join() started
            assertThat(closedFirst).hasMessageContaining("is closed: it cannot be joined");
        }
        closer.get(10, TimeUnit.SECONDS);
        assertStates(group, State.CLOSED);
        assertThat(task.state()).isIn(Task.State.SUCCEEDED, Task.State.CANCELLED);
        if (task.state() == Task.State.CANCELLED) {
            assertThat(group.cancellationReason()).contains(CancellationReason.EXPLICIT);
        }
        group.close();
        assertThat(events.outcomes).hasSize(1);
    }

    /** Concurrent cancels and a join: exactly one cancel counts, the state goes to CANCELLING once. */
    @RepeatedTest(200)
    void cancelsRacingJoin() throws Throwable {
        withFixture(this::cancelsRacingJoinOnce);
    }

    private void cancelsRacingJoinOnce() throws Exception {
        TaskGroup group = factory.open("g");
        CountDownLatch go = new CountDownLatch(1);
        group.fork(GroupStateTransitionsTest::park);
        Future<Boolean> first = helpers.submit(() -> {
            go.await();
            return group.cancel(CancellationReason.EXPLICIT);
        });
        Future<Boolean> second = helpers.submit(() -> {
            go.await();
            return group.cancel(CancellationReason.EXPLICIT);
        });
        go.countDown();
        group.join();
        assertThat(first.get(10, TimeUnit.SECONDS) ^ second.get(10, TimeUnit.SECONDS))
                .as("exactly one cancel counts")
                .isTrue();
        assertStates(group, State.CANCELLING);
        group.close();
        assertStates(group, State.CLOSED);
    }

    // ---------------------------------------------------------------- helpers

    static Void park() throws InterruptedException {
        new CountDownLatch(1).await();
        return null;
    }

    static State snapshotState(TaskGroup group) {
        return ((DefaultTaskGroup) group).snapshot(false).state();
    }

    static void assertStates(TaskGroup group, State expected) {
        assertThat(group.state()).as("state()").isEqualTo(expected);
        assertThat(snapshotState(group)).as("snapshot state").isEqualTo(expected);
        assertThat(group.toString()).endsWith(", " + expected + "]");
    }

    /** Holds the owner in join() (state JOINING, nothing live) until released. */
    static final class HoldingJoinPolicy implements CompletionPolicy {
        final CountDownLatch inJoin = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean hold;

        @Override
        public String value() {
            return "holding-join";
        }

        @Override
        public Tracker newTracker(Context context) {
            return new Tracker() {
                @Override
                public Decision onTaskEnded(Task<?> task) {
                    return Decision.CONTINUE;
                }

                @Override
                public Decision onJoin() {
                    if (!hold) {
                        return Decision.CONTINUE;
                    }
                    inJoin.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return Decision.CONTINUE;
                }
            };
        }
    }
}
