package io.github.taskgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link CompletionPolicy} SPI and the policies written on it, run once per executor kind by the
 * subclasses. Tasks that must "run for a long time" park on a latch that is never released, so that their
 * cancellation is what ends them; nothing sleeps.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
abstract class CompletionPolicyContract {

    /** Parks until interrupted. */
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
        DefaultTaskGroup.leaveTask(null);
        assertThat(factory.liveGroups()).as("every group closed").isEmpty();
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

    TaskGroup open(CompletionPolicy policy) {
        return factory.open("policy", TaskGroupOptions.builder().policy(policy).build());
    }

    static String park() throws InterruptedException {
        NEVER.await();
        return "never";
    }

    static void awaitEnded(Task<?>... tasks) {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (Task<?> task : tasks) {
                if (!task.state().isDone()) {
                    return false;
                }
            }
            return true;
        });
    }

    @Nested
    @DisplayName("built-in policies through the SPI")
    class BuiltIns {

        @Test
        void theConstantsAreCompletionPoliciesWithTheirValues() throws InterruptedException {
            assertThat(List.of(TaskGroupPolicy.values()))
                    .extracting(CompletionPolicy::value)
                    .containsExactly("fail-fast", "supervise", "first-success");
            try (TaskGroup group = open(TaskGroupPolicy.SUPERVISE)) {
                assertThat(group.policy()).isSameAs(TaskGroupPolicy.SUPERVISE);
                group.join();
            }
            try (TaskGroup group = factory.open("default")) {
                assertThat(group.policy()).isSameAs(TaskGroupPolicy.FAIL_FAST);
                group.join();
            }
        }

        @Test
        void aGroupWithAPolicyOfTheLibraryShowsItsValueInSnapshots() throws InterruptedException {
            try (TaskGroup group = open(CompletionPolicy.quorum(2))) {
                assertThat(group.policy().value()).isEqualTo("quorum");
                assertThat(factory.liveGroups())
                        .singleElement()
                        .satisfies(snapshot ->
                                assertThat(snapshot.policy().value()).isEqualTo("quorum"));
                group.fork(() -> 1);
                group.fork(() -> 2);
                group.join();
            }
        }

        @Test
        void optionsCompareTheirPolicies() {
            CompletionPolicy quorum = CompletionPolicy.quorum(2);
            assertThat(TaskGroupOptions.builder().policy(quorum).build())
                    .isEqualTo(TaskGroupOptions.builder().policy(quorum).build())
                    .isNotEqualTo(TaskGroupOptions.builder()
                            .policy(TaskGroupPolicy.FAIL_FAST)
                            .build());
            assertThat(TaskGroupOptions.builder().policy(quorum).build().policy())
                    .containsSame(quorum);
        }

        @Test
        void decisionsWithoutAFailureAreSharedConstants() {
            assertThat(CompletionPolicy.Decision.succeed(CancellationReason.POLICY))
                    .isSameAs(CompletionPolicy.Decision.succeed(CancellationReason.POLICY));
            assertThat(CompletionPolicy.Decision.fail(CancellationReason.SIBLING_FAILURE))
                    .isSameAs(CompletionPolicy.Decision.fail(CancellationReason.SIBLING_FAILURE));
            assertThat(CompletionPolicy.Decision.CONTINUE.cancels()).isFalse();
            assertThatThrownBy(() -> CompletionPolicy.Decision.fail(CancellationReason.EXPLICIT, null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("failure");
            assertThatThrownBy(() -> CompletionPolicy.Decision.succeed(null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("reason");
        }
    }

    @Nested
    @DisplayName("quorum(n)")
    class Quorum {

        @RepeatedTest(20)
        void succeedsOnceNTasksSucceededAndCancelsTheRest() throws InterruptedException {
            try (TaskGroup group = open(CompletionPolicy.quorum(2))) {
                Task<String> failing = group.fork("failing", () -> {
                    throw new IOException("replica down");
                });
                awaitEnded(failing);
                Task<String> a = group.fork("a", () -> "a");
                Task<String> parked1 = group.fork("parked1", CompletionPolicyContract::park);
                Task<String> b = group.fork("b", () -> "b");
                Task<String> parked2 = group.fork("parked2", CompletionPolicyContract::park);
                group.join(); // the failure of a replica is not reported: the quorum was reached

                assertThat(a.get()).isEqualTo("a");
                assertThat(b.get()).isEqualTo("b");
                assertThat(failing.state()).isEqualTo(Task.State.FAILED);
                for (Task<String> parked : List.of(parked1, parked2)) {
                    assertThat(parked.state()).isEqualTo(Task.State.CANCELLED);
                    assertThat(parked.cancellationReason()).isEqualTo(CancellationReason.POLICY);
                }
                assertThat(group.cancellationReason()).contains(CancellationReason.POLICY);
            }
        }

        @RepeatedTest(20)
        void failsAsSoonAsTheQuorumCannotBeReachedAndCancelsTheRest() throws InterruptedException {
            try (TaskGroup group = open(CompletionPolicy.quorum(3))) {
                group.fork("down1", () -> {
                    throw new IOException("down1");
                });
                group.fork("down2", () -> {
                    throw new IOException("down2");
                });
                Task<String> up = group.fork("up", () -> "up");
                Task<String> parked = group.fork("parked", CompletionPolicyContract::park);

                TaskGroupException report = catchThrowableOfType(group::join);

                assertThat(report.failures(IOException.class))
                        .extracting(Throwable::getMessage)
                        .containsExactlyInAnyOrder("down1", "down2");
                assertThat(report.failures()).last().isInstanceOf(IllegalStateException.class);
                assertThat(report.failures().get(2))
                        .hasMessageStartingWith("Quorum of 3 not reached in task group 'policy': ");
                assertThat(parked.state()).isEqualTo(Task.State.CANCELLED);
                assertThat(parked.cancellationReason()).isEqualTo(CancellationReason.SIBLING_FAILURE);
                awaitEnded(up);
            }
        }

        @Test
        void cancelledTasksCountAgainstTheQuorumAndJoinSaysSoWithoutAnyTaskFailure() throws InterruptedException {
            try (TaskGroup group = open(CompletionPolicy.quorum(2))) {
                Task<String> parked = group.fork("parked", CompletionPolicyContract::park);
                parked.cancel();
                Task<String> ok = group.fork("ok", () -> "ok");
                awaitEnded(ok);

                TaskGroupException report = catchThrowableOfType(group::join);

                assertThat(report.failures()).singleElement().isInstanceOf(IllegalStateException.class);
                assertThat(report.getCause())
                        .hasMessage("Quorum of 2 not reached in task group 'policy': 1 succeeded, 1 failed or were"
                                + " cancelled, 0 unfinished");
                // Nothing threw: the policy decided to fail, and the report says so.
                assertThat(report)
                        .hasMessage("Task group 'policy' failed with 1 failure: the completion policy 'quorum'"
                                + " decided to fail with java.lang.IllegalStateException: Quorum of 2 not reached in"
                                + " task group 'policy': 1 succeeded, 1 failed or were cancelled, 0 unfinished");
                assertThat(ok.get()).isEqualTo("ok");
            }
        }

        @Test
        void theReportSaysTheTaskThrewAndTheQuorumDecidedToFail() throws InterruptedException {
            try (TaskGroup group = open(CompletionPolicy.quorum(2))) {
                Task<String> down = group.fork("down", () -> {
                    throw new IOException("replica down");
                });
                awaitEnded(down); // ended before the owner joins: the quorum decides in onJoin

                TaskGroupException report = catchThrowableOfType(group::join);

                assertThat(report)
                        .hasMessage("Task group 'policy' failed with 2 failures: task 'down' threw"
                                + " java.io.IOException: replica down; the completion policy 'quorum' decided to fail"
                                + " with java.lang.IllegalStateException: Quorum of 2 not reached in task group"
                                + " 'policy': 0 succeeded, 1 failed or were cancelled, 0 unfinished");
                assertThat(report.failures()).hasSize(2);
            }
        }

        @Test
        void tasksThatEndBeforeTheOwnerJoinsOnlyCountSinceTheOwnerMayForkMore() throws InterruptedException {
            try (TaskGroup group = open(CompletionPolicy.quorum(2))) {
                Task<String> failing = group.fork(() -> {
                    throw new IOException("early");
                });
                awaitEnded(failing); // 0 succeeded, nothing unfinished: yet the owner forks on
                Task<String> a = group.fork(() -> "a");
                Task<String> b = group.fork(() -> "b");
                group.join();
                assertThat(a.get()).isEqualTo("a");
                assertThat(b.get()).isEqualTo("b");
            }
        }

        @Test
        void aCancellationFromOutsideIsReportedAsUsualWithoutAQuorumFailure() throws InterruptedException {
            try (TaskGroup group = open(CompletionPolicy.quorum(2))) {
                Task<String> parked = group.fork(CompletionPolicyContract::park);
                group.cancel();
                group.join(); // an explicit cancel is quiet, whatever the quorum
                assertThat(parked.cancellationReason()).isEqualTo(CancellationReason.EXPLICIT);
            }
        }

        @RepeatedTest(10)
        void aGroupsViewReportsAQuorumNotReachedAsJoinDoesAndJoinReportsItOnce() throws Exception {
            try (TaskGroup group = open(CompletionPolicy.quorum(2))) {
                Task<String> ok = group.fork("ok", () -> "ok");
                CompletableFuture<Void> view = group.completion(); // requested after the last fork

                Throwable viewFailure = catchThrowable(() -> view.get(10, TimeUnit.SECONDS));

                assertThat(viewFailure).isInstanceOf(ExecutionException.class);
                assertThat(viewFailure.getCause())
                        .isInstanceOf(TaskGroupException.class)
                        .hasMessageContaining("Quorum of 2 not reached in task group 'policy': 1 succeeded");
                TaskGroupException report = catchThrowableOfType(group::join);
                assertThat(report.failures()).singleElement().isInstanceOf(IllegalStateException.class);
                assertThat(report.failures().get(0)).hasMessageStartingWith("Quorum of 2 not reached");
                assertThat(ok.get()).isEqualTo("ok");
            }
        }

        @RepeatedTest(10)
        void aGroupsViewCompletesNormallyOnceTheQuorumIsReached() throws Exception {
            try (TaskGroup group = open(CompletionPolicy.quorum(1))) {
                group.fork("ok", () -> "ok");
                Task<String> parked = group.fork("parked", CompletionPolicyContract::park);
                group.completion().get(10, TimeUnit.SECONDS);
                assertThat(parked.cancellationReason()).isEqualTo(CancellationReason.POLICY);
                group.join();
            }
        }

        @Test
        void rejectsAQuorumBelowOne() {
            assertThatThrownBy(() -> CompletionPolicy.quorum(0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("quorum must be at least 1, but was 0");
        }
    }

    @Nested
    @DisplayName("partialResults()")
    class PartialResults {

        @RepeatedTest(5)
        void theDeadlineEndsTheGroupQuietlyAndTheFinishedTasksKeepTheirResults() throws InterruptedException {
            try (TaskGroup group = factory.open(
                    "partial",
                    TaskGroupOptions.builder()
                            .timeout(Duration.ofMillis(200))
                            .policy(CompletionPolicy.partialResults())
                            .build())) {
                Task<String> fast = group.fork("fast", () -> "fast");
                Task<String> slow = group.fork("slow", CompletionPolicyContract::park);
                group.join(); // returns normally once the deadline passed

                assertThat(group.cancellationReason()).contains(CancellationReason.TIMEOUT);
                assertThat(fast.state()).isEqualTo(Task.State.SUCCEEDED);
                assertThat(fast.get()).isEqualTo("fast");
                assertThat(slow.state()).isEqualTo(Task.State.CANCELLED);
                assertThat(slow.cancellationReason()).isEqualTo(CancellationReason.TIMEOUT);
            }
        }

        @Test
        void aTimeoutCancelIsQuietToo() throws InterruptedException {
            try (TaskGroup group = open(CompletionPolicy.partialResults())) {
                Task<String> done = group.fork(() -> "done");
                awaitEnded(done);
                Task<String> slow = group.fork(CompletionPolicyContract::park);
                group.cancel(CancellationReason.TIMEOUT);
                group.join();
                assertThat(done.get()).isEqualTo("done");
                assertThat(slow.cancellationReason()).isEqualTo(CancellationReason.TIMEOUT);
            }
        }

        @Test
        void failuresAreStillReportedWithTheTimeout() throws InterruptedException {
            try (TaskGroup group = open(CompletionPolicy.partialResults())) {
                Task<String> broken = group.fork(() -> {
                    throw new IOException("broken");
                });
                awaitEnded(broken);
                group.fork(CompletionPolicyContract::park);
                group.cancel(CancellationReason.TIMEOUT);
                assertThatThrownBy(group::join)
                        .isInstanceOf(TaskGroupTimeoutException.class)
                        .hasCauseInstanceOf(IOException.class);
            }
        }

        @Test
        void overFailFastAFailureStillCancelsTheSiblings() throws InterruptedException {
            try (TaskGroup group = open(CompletionPolicy.partialResults(TaskGroupPolicy.FAIL_FAST))) {
                Task<String> parked = group.fork(CompletionPolicyContract::park);
                group.fork(() -> {
                    throw new IOException("broken");
                });
                assertThatThrownBy(group::join)
                        .isExactlyInstanceOf(TaskGroupException.class)
                        .hasCauseInstanceOf(IOException.class);
                assertThat(parked.cancellationReason()).isEqualTo(CancellationReason.SIBLING_FAILURE);
            }
        }

        @Test
        void withoutItTheDeadlineIsLoud() throws InterruptedException {
            try (TaskGroup group = open(TaskGroupPolicy.SUPERVISE)) {
                group.fork(CompletionPolicyContract::park);
                group.cancel(CancellationReason.TIMEOUT);
                assertThatThrownBy(group::join).isInstanceOf(TaskGroupTimeoutException.class);
            }
        }
    }

    @Nested
    @DisplayName("cancelOnResult / cancelOnFailure")
    class Predicates {

        @RepeatedTest(10)
        void aMatchingResultCancelsTheRestAndTheGroupSucceeds() throws InterruptedException {
            try (TaskGroup group = open(CompletionPolicy.cancelOnResult("found"::equals))) {
                Task<String> miss = group.fork(() -> "miss");
                Task<String> broken = group.fork(() -> {
                    throw new IOException("shard down");
                });
                awaitEnded(miss, broken); // neither a miss nor a failure cancels anything
                Task<String> parked = group.fork(CompletionPolicyContract::park);
                Task<String> hit = group.fork(() -> "found");
                group.join(); // the failure is not reported: a result matched

                assertThat(hit.get()).isEqualTo("found");
                assertThat(parked.cancellationReason()).isEqualTo(CancellationReason.POLICY);
                assertThat(group.cancellationReason()).contains(CancellationReason.POLICY);
            }
        }

        @Test
        void withoutAMatchTheFailuresAreReported() throws InterruptedException {
            try (TaskGroup group = open(CompletionPolicy.cancelOnResult("found"::equals))) {
                Task<String> miss = group.fork(() -> "miss");
                group.fork(() -> {
                    throw new IOException("shard down");
                });
                assertThatThrownBy(group::join)
                        .isExactlyInstanceOf(TaskGroupException.class)
                        .hasCauseInstanceOf(IOException.class);
                assertThat(miss.get()).isEqualTo("miss");
                assertThat(group.cancellationReason()).isEmpty();
            }
        }

        @RepeatedTest(10)
        void aMatchingFailureCancelsTheRestAndOthersDoNot() throws InterruptedException {
            CompletionPolicy policy = CompletionPolicy.cancelOnFailure(e -> e instanceof IllegalArgumentException);
            try (TaskGroup group = open(policy)) {
                Task<String> io = group.fork("io", () -> {
                    throw new IOException("retry later");
                });
                awaitEnded(io);
                Task<String> parked = group.fork("parked", CompletionPolicyContract::park);
                assertThat(parked.state()).isNotEqualTo(Task.State.CANCELLED); // the IOException did not cancel
                group.fork("bad", () -> {
                    throw new IllegalArgumentException("bad input");
                });

                TaskGroupException report = catchThrowableOfType(group::join);

                assertThat(report.failures())
                        .extracting(Throwable::getMessage)
                        .containsExactly("retry later", "bad input");
                assertThat(parked.cancellationReason()).isEqualTo(CancellationReason.SIBLING_FAILURE);
            }
        }
    }

    /** A tracker that can be told to throw at one of its calls. */
    static final class Hostile implements CompletionPolicy {
        final String at;
        final RuntimeException thrown = new IllegalStateException("policy bug");

        Hostile(String at) {
            this.at = at;
        }

        @Override
        public String value() {
            return "hostile";
        }

        @Override
        public Tracker newTracker(Context context) {
            if (at.equals("newTracker")) {
                throw thrown;
            }
            return new Tracker() {
                @Override
                public Decision onTaskEnded(Task<?> task) {
                    if (at.equals("onTaskEnded")) {
                        throw thrown;
                    }
                    return at.equals("null") ? null : Decision.CONTINUE;
                }

                @Override
                public boolean onDeadline() {
                    if (at.equals("onDeadline")) {
                        throw thrown;
                    }
                    return true;
                }

                @Override
                public Decision onJoin() {
                    if (at.equals("onJoin")) {
                        throw thrown;
                    }
                    return Decision.CONTINUE;
                }

                @Override
                public Decision onAllEnded() {
                    if (at.equals("onAllEnded")) {
                        throw thrown;
                    }
                    return Decision.CONTINUE;
                }
            };
        }
    }

    @Nested
    @DisplayName("a policy that throws")
    class HostilePolicies {

        @RepeatedTest(10)
        void onTaskEndedFailsTheGroupAndCancelsTheRest() throws InterruptedException {
            Hostile policy = new Hostile("onTaskEnded");
            try (TaskGroup group = open(policy)) {
                Task<String> parked = group.fork(CompletionPolicyContract::park);
                Task<String> ok = group.fork(() -> "ok");

                TaskGroupException report = catchThrowableOfType(group::join);

                assertThat(report.getCause()).isSameAs(policy.thrown);
                assertThat(report)
                        .hasMessageContaining(
                                "the completion policy 'hostile' threw java.lang.IllegalStateException: policy bug")
                        .hasMessageNotContaining("decided");
                assertThat(parked.cancellationReason()).isEqualTo(CancellationReason.SIBLING_FAILURE);
                assertThat(ok.get()).isEqualTo("ok");
            }
        }

        @Test
        void aNullDecisionFailsTheGroup() throws InterruptedException {
            try (TaskGroup group = open(new Hostile("null"))) {
                group.fork(() -> "ok");
                assertThatThrownBy(group::join)
                        .isInstanceOf(TaskGroupException.class)
                        .cause()
                        .isInstanceOf(NullPointerException.class)
                        .hasMessage("Completion policy 'hostile' returned a null decision in task group 'policy'");
            }
        }

        @RepeatedTest(5)
        void onDeadlineFailsTheGroupLoudlyAndNothingHangs() throws InterruptedException {
            Hostile policy = new Hostile("onDeadline");
            try (TaskGroup group = factory.open(
                    "hostile",
                    TaskGroupOptions.builder()
                            .timeout(Duration.ofMillis(100))
                            .policy(policy)
                            .build())) {
                Task<String> parked = group.fork(CompletionPolicyContract::park);

                TaskGroupException report = catchThrowableOfType(group::join);

                assertThat(report).isInstanceOf(TaskGroupTimeoutException.class);
                assertThat(report.failures()).containsExactly(policy.thrown);
                assertThat(parked.cancellationReason()).isEqualTo(CancellationReason.TIMEOUT);
            }
        }

        @Test
        void onJoinFailsTheGroupAndCancelsTheRest() throws InterruptedException {
            Hostile policy = new Hostile("onJoin");
            try (TaskGroup group = open(policy)) {
                Task<String> parked = group.fork(CompletionPolicyContract::park);
                TaskGroupException report = catchThrowableOfType(group::join);
                assertThat(report.failures()).containsExactly(policy.thrown);
                assertThat(report)
                        .hasMessage("Task group 'policy' failed with 1 failure: the completion policy 'hostile' threw"
                                + " java.lang.IllegalStateException: policy bug");
                assertThat(parked.cancellationReason()).isEqualTo(CancellationReason.SIBLING_FAILURE);
            }
        }

        @Test
        void onAllEndedFailsTheGroup() throws InterruptedException {
            Hostile policy = new Hostile("onAllEnded");
            try (TaskGroup group = open(policy)) {
                Task<String> ok = group.fork(() -> "ok");
                TaskGroupException report = catchThrowableOfType(group::join);
                assertThat(report.failures()).containsExactly(policy.thrown);
                assertThat(ok.get()).isEqualTo("ok");
            }
        }

        @Test
        void newTrackerFailsTheOpenAndNothingIsOpened() {
            Hostile policy = new Hostile("newTracker");
            assertThatThrownBy(() -> open(policy)).isSameAs(policy.thrown);
            assertThat(CurrentTaskGroup.get()).isEmpty();
        }

        @Test
        void aThrowingPredicateFailsTheGroup() throws InterruptedException {
            IllegalStateException bug = new IllegalStateException("predicate bug");
            try (TaskGroup group = open(CompletionPolicy.cancelOnResult(v -> {
                throw bug;
            }))) {
                group.fork(() -> "x");
                assertThatThrownBy(group::join)
                        .isInstanceOf(TaskGroupException.class)
                        .hasCause(bug);
            }
        }
    }

    /** A stateful policy of the application's: cancel the rest after {@code limit} timeouts. */
    static final class CancelAfterTimeouts implements CompletionPolicy {
        final int limit;

        CancelAfterTimeouts(int limit) {
            this.limit = limit;
        }

        @Override
        public String value() {
            return "cancel-after-timeouts";
        }

        @Override
        public Tracker newTracker(Context context) {
            return new Tracker() {
                int timeouts; // plain: the group serializes the calls

                @Override
                public Decision onTaskEnded(Task<?> task) {
                    return task.exception() instanceof TimeoutException && ++timeouts == limit
                            ? Decision.fail(CancellationReason.SIBLING_FAILURE)
                            : Decision.CONTINUE;
                }
            };
        }
    }

    @Nested
    @DisplayName("policies of the application's")
    class Custom {

        @RepeatedTest(10)
        void aStatefulPolicyHasOneStatePerGroup() throws InterruptedException {
            CompletionPolicy policy = new CancelAfterTimeouts(2);
            for (int round = 0; round < 2; round++) { // a second group starts from zero again
                try (TaskGroup group = open(policy)) {
                    Task<String> first = group.fork(() -> {
                        throw new TimeoutException("slow 1");
                    });
                    awaitEnded(first);
                    Task<String> parked = group.fork(CompletionPolicyContract::park);
                    assertThat(group.cancellationReason()).isEmpty(); // one timeout is not enough
                    group.fork(() -> {
                        throw new TimeoutException("slow 2");
                    });
                    TaskGroupException report = catchThrowableOfType(group::join);
                    assertThat(report.failures()).hasSize(2);
                    assertThat(parked.cancellationReason()).isEqualTo(CancellationReason.SIBLING_FAILURE);
                }
            }
        }

        @RepeatedTest(5)
        void theCallsToATrackerAreSerializedAndSeeEveryTaskEnd() throws InterruptedException {
            int tasks = 200;
            List<Integer> unfinishedAtEnd = new ArrayList<>();
            AtomicInteger concurrent = new AtomicInteger();
            AtomicInteger overlaps = new AtomicInteger();
            CompletionPolicy counting = new CompletionPolicy() {
                @Override
                public String value() {
                    return "counting";
                }

                @Override
                public Tracker newTracker(Context context) {
                    return new Tracker() {
                        int ended; // plain on purpose: a lost update would show

                        @Override
                        public Decision onTaskEnded(Task<?> task) {
                            if (concurrent.incrementAndGet() > 1) {
                                overlaps.incrementAndGet();
                            }
                            ended++;
                            concurrent.decrementAndGet();
                            return Decision.CONTINUE;
                        }

                        @Override
                        public Decision onAllEnded() {
                            unfinishedAtEnd.add(context.unfinishedTasks());
                            unfinishedAtEnd.add(ended);
                            return Decision.CONTINUE;
                        }
                    };
                }
            };
            CountDownLatch go = new CountDownLatch(1);
            try (TaskGroup group = open(counting)) {
                for (int i = 0; i < tasks; i++) {
                    int n = i;
                    group.fork(() -> {
                        go.await();
                        if (n % 3 == 0) {
                            throw new IOException("n" + n);
                        }
                        return n;
                    });
                }
                go.countDown();
                assertThat(catchThrowable(group::join)).isInstanceOf(TaskGroupException.class);
            }
            assertThat(overlaps).hasValue(0);
            assertThat(unfinishedAtEnd).containsExactly(0, tasks);
        }

        @RepeatedTest(10)
        void theLastWordIsHeardOncePerSetOfEndsByTheViewAndTheJoinTogether() throws Exception {
            AtomicInteger lastWords = new AtomicInteger();
            CompletionPolicy refusesEveryOutcome = decidingAtTheEnd(
                    "refuses",
                    () -> CompletionPolicy.Decision.CONTINUE,
                    () -> CompletionPolicy.Decision.fail(
                            CancellationReason.SIBLING_FAILURE,
                            new IllegalStateException("refused #" + lastWords.incrementAndGet())));
            try (TaskGroup group = open(refusesEveryOutcome)) {
                group.fork(() -> "a");
                Throwable viewFailure = catchThrowable(() -> group.completion().get(10, TimeUnit.SECONDS));
                assertThat(viewFailure.getCause())
                        .isInstanceOf(TaskGroupException.class)
                        .hasMessageContaining("refused #1");

                TaskGroupException report = catchThrowableOfType(group::join); // nothing ended since the view
                assertThat(report.failures())
                        .singleElement()
                        .hasToString("java.lang.IllegalStateException: refused #1");
                assertThat(lastWords).hasValue(1);
                group.join(); // reported once: the owner was told
                assertThat(lastWords).hasValue(1);
            }
        }

        @Test
        void aFailDecisionWithoutAFailureIsReportedAsDecidedNotThrown() throws InterruptedException {
            CompletionPolicy refusesAtJoin = decidingAtTheEnd(
                    "refuses-at-join",
                    () -> CompletionPolicy.Decision.fail(CancellationReason.SIBLING_FAILURE),
                    () -> CompletionPolicy.Decision.CONTINUE);
            try (TaskGroup group = open(refusesAtJoin)) {
                Task<String> parked = group.fork("parked", CompletionPolicyContract::park);

                TaskGroupException report = catchThrowableOfType(group::join);

                assertThat(report)
                        .hasMessage("Task group 'policy' failed with 1 failure: the completion policy"
                                + " 'refuses-at-join' decided to fail with java.lang.IllegalStateException:"
                                + " Completion policy 'refuses-at-join' failed task group 'policy'"
                                + " (sibling-failure) without a failure");
                assertThat(parked.cancellationReason()).isEqualTo(CancellationReason.SIBLING_FAILURE);
            }
        }
    }

    /**
     * A policy named {@code value} whose trackers go on at every task's end, and decide at the end as given
     * ({@code Decision.CONTINUE}: the default, report what was decided so far).
     */
    static CompletionPolicy decidingAtTheEnd(
            String value, Supplier<CompletionPolicy.Decision> onJoin, Supplier<CompletionPolicy.Decision> onAllEnded) {
        return new CompletionPolicy() {
            @Override
            public String value() {
                return value;
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
                        return onJoin.get();
                    }

                    @Override
                    public Decision onAllEnded() {
                        return onAllEnded.get();
                    }
                };
            }
        };
    }

    static TaskGroupException catchThrowableOfType(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).isInstanceOf(TaskGroupException.class);
        return (TaskGroupException) thrown;
    }
}
