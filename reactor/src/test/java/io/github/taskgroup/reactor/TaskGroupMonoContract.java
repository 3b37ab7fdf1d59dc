package io.github.taskgroup.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupException;
import io.github.taskgroup.TaskGroupExecutors;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupOptions;
import io.github.taskgroup.TaskGroupPolicy;
import io.github.taskgroup.TaskGroupTimeoutException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * {@link TaskGroupMono}: outcomes, cancellation both ways, the publisher forked as a task. Deterministic:
 * latches and Awaitility, never a sleep.
 */
abstract class TaskGroupMonoContract {

    static final Duration WAIT = Duration.ofSeconds(10);

    ExecutorService executor;
    TaskGroupFactory factory;
    CountDownLatch gate;

    abstract ExecutorService newExecutor();

    abstract boolean virtual();

    @BeforeEach
    void setUp() {
        executor = newExecutor();
        factory = TaskGroupFactory.builder().executor(executor).build();
        gate = new CountDownLatch(1);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        gate.countDown();
        factory.close();
        executor.shutdown();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    TaskGroup open(TaskGroupOptions options) {
        return factory.openRoot("mono", options);
    }

    TaskGroup open() {
        return open(TaskGroupOptions.defaults());
    }

    <T> T waitGate(T value) throws InterruptedException {
        gate.await();
        return value;
    }

    static Supplier<Optional<CancellationReason>> decide(Optional<CancellationReason> decision) {
        return () -> decision;
    }

    // ---------------------------------------------------------------- of(Task)

    @RepeatedTest(10)
    void aTasksMonoEmitsItsValueOnceTheTaskSucceedsOnTheTasksThread() {
        TaskGroup group = open();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        Task<String> task = group.fork("value", () -> waitGate("v"));
        StepVerifier.create(TaskGroupMono.of(task).doOnNext((v) -> threads.add(Thread.currentThread())))
                .expectSubscription()
                .then(() -> assertThat(task.state()).isIn(Task.State.PENDING, Task.State.RUNNING))
                .then(gate::countDown)
                .expectNext("v")
                .expectComplete()
                .verify(WAIT);
        assertThat(threads)
                .singleElement()
                .satisfies((t) -> assertThat(TaskGroupExecutors.isVirtual(t)).isEqualTo(virtual()));
        group.close();
    }

    @Test
    void aTaskThatReturnsNullGivesAnEmptyMono() {
        TaskGroup group = open();
        Task<String> task = group.fork("null", () -> null);
        StepVerifier.create(TaskGroupMono.of(task)).expectComplete().verify(WAIT);
        group.close();
    }

    @Test
    void aFailedTaskGivesItsFailureItselfAsTheError() {
        TaskGroup group = open(
                TaskGroupOptions.builder().policy(TaskGroupPolicy.SUPERVISE).build());
        IOException failure = new IOException("disk");
        Task<String> task = group.fork("fails", () -> {
            throw failure;
        });
        StepVerifier.create(TaskGroupMono.of(task))
                .expectErrorSatisfies((e) -> assertThat(e).isSameAs(failure))
                .verify(WAIT);
        assertThatThrownBy(group::close).isInstanceOf(TaskGroupException.class); // not consumed by the Mono
    }

    @Test
    void aCancelledTaskGivesACancellationExceptionCausedByTheGroupsFirstFailure() {
        TaskGroup group = open(); // fail-fast
        Task<String> parked = group.fork("parked", () -> waitGate("never"));
        IOException failure = new IOException("sibling");
        group.fork("fails", () -> {
            throw failure;
        });
        StepVerifier.create(TaskGroupMono.of(parked))
                .expectErrorSatisfies((e) -> {
                    assertThat(e).isInstanceOf(CancellationException.class);
                    assertThat(e.getCause()).isSameAs(failure);
                })
                .verify(WAIT);
        assertThat(parked.cancellationReason()).isEqualTo(CancellationReason.SIBLING_FAILURE);
        assertThatThrownBy(group::close).isInstanceOf(TaskGroupException.class);
    }

    @RepeatedTest(10)
    void cancellingATasksSubscriptionCancelsTheTaskOnly() throws Exception {
        TaskGroup group = open();
        Task<String> cancelled = group.fork("cancelled", () -> waitGate("x"));
        Task<String> other = group.fork("other", () -> waitGate("y"));
        StepVerifier.create(TaskGroupMono.of(cancelled)).thenCancel().verify(WAIT);
        await().atMost(WAIT).until(() -> cancelled.state() == Task.State.CANCELLED);
        assertThat(cancelled.cancellationReason()).isEqualTo(CancellationReason.EXPLICIT);
        assertThat(group.cancellationReason()).isEmpty();
        assertThat(other.state()).isIn(Task.State.PENDING, Task.State.RUNNING);
        gate.countDown();
        group.join();
        assertThat(other.get()).isEqualTo("y");
        group.close();
    }

    @RepeatedTest(10)
    void aContextDecisionGivesTheReasonOfTheTasksCancellation() throws Exception {
        TaskGroup group = open();
        Task<String> aborted = group.fork("aborted", () -> waitGate("x"));
        Task<String> other = group.fork("other", () -> waitGate("y"));
        StepVerifier.create(TaskGroupMono.of(aborted)
                        .contextWrite((c) -> c.put(
                                TaskGroupMono.ON_CANCEL, decide(Optional.of(CancellationReason.REQUEST_ABORTED)))))
                .thenCancel()
                .verify(WAIT);
        await().atMost(WAIT).until(() -> aborted.state() == Task.State.CANCELLED);
        assertThat(aborted.cancellationReason()).isEqualTo(CancellationReason.REQUEST_ABORTED);
        assertThat(group.cancellationReason()).isEmpty();
        gate.countDown();
        group.join();
        assertThat(other.get()).isEqualTo("y");
        group.close();
    }

    @Test
    void aContextDecisionToLeaveItRunningKeepsTheTask() throws Exception {
        TaskGroup group = open();
        Task<String> task = group.fork("kept", () -> waitGate("kept"));
        StepVerifier.create(TaskGroupMono.of(task)
                        .contextWrite((c) -> c.put(TaskGroupMono.ON_CANCEL, decide(Optional.empty()))))
                .thenCancel()
                .verify(WAIT);
        assertThat(task.state()).isIn(Task.State.PENDING, Task.State.RUNNING);
        gate.countDown();
        group.join();
        assertThat(task.get()).isEqualTo("kept");
        group.close();
    }

    @Test
    void cancellingAfterCompletionDoesNothing() throws Exception {
        TaskGroup group = open();
        Task<String> task = group.fork("done", () -> "done");
        assertThat(TaskGroupMono.of(task).block(WAIT)).isEqualTo("done");
        StepVerifier.create(TaskGroupMono.of(task))
                .expectNext("done")
                .thenCancel()
                .verify(WAIT);
        assertThat(task.state()).isEqualTo(Task.State.SUCCEEDED);
        group.close();
    }

    // ---------------------------------------------------------------- join(TaskGroup)

    @RepeatedTest(10)
    void joinCompletesOnceEveryTaskIsDoneAndNeverBefore() {
        TaskGroup group = open();
        Task<String> a = group.fork("a", () -> waitGate("a"));
        Task<String> b = group.fork("b", () -> {
            // a task that forks another while the Mono is pending: it counts
            group.fork("c", () -> waitGate("c"));
            return waitGate("b");
        });
        List<String> statesAtCompletion = new CopyOnWriteArrayList<>();
        StepVerifier.create(TaskGroupMono.join(group)
                        .doOnSuccess((v) -> statesAtCompletion.add(a.state() + " " + b.state())))
                .expectSubscription()
                .then(gate::countDown)
                .expectComplete()
                .verify(WAIT);
        assertThat(statesAtCompletion).containsExactly("SUCCEEDED SUCCEEDED");
        group.close();
    }

    @Test
    void joinErrorsWithTheGroupsFailuresWhichTheOwnerStillGets() {
        TaskGroup group = open(); // fail-fast
        group.fork("parked", () -> waitGate("never"));
        IOException failure = new IOException("boom");
        group.fork("fails", () -> {
            throw failure;
        });
        StepVerifier.create(TaskGroupMono.join(group))
                .expectErrorSatisfies((e) -> {
                    assertThat(e).isExactlyInstanceOf(TaskGroupException.class);
                    assertThat(((TaskGroupException) e).failures()).containsExactly(failure);
                })
                .verify(WAIT);
        assertThat(group.cancellationReason()).contains(CancellationReason.SIBLING_FAILURE);
        assertThatThrownBy(group::close)
                .isInstanceOfSatisfying(
                        TaskGroupException.class,
                        (e) -> assertThat(e.failures()).containsExactly(failure));
    }

    @Test
    void joinErrorsWithATimeoutExceptionWhenTheDeadlineExpires() {
        TaskGroup group =
                open(TaskGroupOptions.builder().timeout(Duration.ofMillis(50)).build());
        Task<String> parked = group.fork("parked", () -> waitGate("never"));
        StepVerifier.create(TaskGroupMono.join(group))
                .expectError(TaskGroupTimeoutException.class)
                .verify(WAIT);
        assertThat(parked.cancellationReason()).isEqualTo(CancellationReason.TIMEOUT);
        group.close();
    }

    @Test
    void joinErrorsWithACancellationExceptionWhenTheGroupIsCancelledFromOutside() {
        TaskGroup group = open();
        group.fork("parked", () -> waitGate("never"));
        StepVerifier.create(TaskGroupMono.join(group))
                .expectSubscription()
                .then(() -> group.cancel(CancellationReason.SHUTDOWN))
                .expectError(CancellationException.class)
                .verify(WAIT);
        group.close();
    }

    @RepeatedTest(10)
    void cancellingTheJoinsSubscriptionCancelsTheGroupExplicitly() {
        TaskGroup group = open();
        Task<String> parked = group.fork("parked", () -> waitGate("never"));
        StepVerifier.create(TaskGroupMono.join(group)).thenCancel().verify(WAIT);
        assertThat(group.cancellationReason()).contains(CancellationReason.EXPLICIT);
        await().atMost(WAIT).until(() -> parked.state() == Task.State.CANCELLED);
        group.close(); // a quiet cancellation: nothing to report
    }

    @Test
    void aContextDecisionGivesTheReasonOfTheGroupsCancellation() {
        TaskGroup group = open();
        Task<String> parked = group.fork("parked", () -> waitGate("never"));
        StepVerifier.create(TaskGroupMono.join(group)
                        .contextWrite((c) -> c.put(
                                TaskGroupMono.ON_CANCEL, decide(Optional.of(CancellationReason.REQUEST_ABORTED)))))
                .thenCancel()
                .verify(WAIT);
        assertThat(group.cancellationReason()).contains(CancellationReason.REQUEST_ABORTED);
        await().atMost(WAIT).until(() -> parked.state() == Task.State.CANCELLED);
        assertThat(parked.cancellationReason()).isEqualTo(CancellationReason.REQUEST_ABORTED);
        group.close();
    }

    @Test
    void aContextDecisionToLeaveItRunningKeepsTheGroup() throws Exception {
        TaskGroup group = open();
        Task<String> kept = group.fork("kept", () -> waitGate("kept"));
        StepVerifier.create(TaskGroupMono.join(group)
                        .contextWrite((c) -> c.put(TaskGroupMono.ON_CANCEL, decide(Optional.empty()))))
                .thenCancel()
                .verify(WAIT);
        assertThat(group.cancellationReason()).isEmpty();
        gate.countDown();
        group.join();
        assertThat(kept.get()).isEqualTo("kept");
        group.close();
    }

    // ---------------------------------------------------------------- fork(TaskGroup, String, Publisher)

    @RepeatedTest(10)
    void aForkedMonoIsSubscribedWhenItsTaskStartsAndItsValueIsTheResult() throws Exception {
        TaskGroup group = open(TaskGroupOptions.builder().maxConcurrency(1).build());
        AtomicInteger subscriptions = new AtomicInteger();
        List<Thread> subscribedOn = new CopyOnWriteArrayList<>();
        Task<String> first = group.fork("first", () -> waitGate("first"));
        Task<String> reactive = TaskGroupMono.fork(group, "reactive", Mono.fromCallable(() -> {
            subscriptions.incrementAndGet();
            subscribedOn.add(Thread.currentThread());
            return "reactive";
        }));
        await().atMost(WAIT).until(() -> first.state() == Task.State.RUNNING);
        assertThat(reactive.state()).isEqualTo(Task.State.PENDING);
        assertThat(subscriptions).hasValue(0);
        gate.countDown();
        group.join();
        assertThat(reactive.get()).isEqualTo("reactive");
        assertThat(subscriptions).hasValue(1);
        assertThat(subscribedOn)
                .singleElement()
                .satisfies((t) -> assertThat(TaskGroupExecutors.isVirtual(t)).isEqualTo(virtual()));
        group.close();
    }

    @Test
    void anEmptyPublisherGivesNullAndAFluxItsFirstElement() throws Exception {
        TaskGroup group = open();
        AtomicInteger cancelled = new AtomicInteger();
        Task<String> empty = TaskGroupMono.fork(group, "empty", Mono.<String>empty());
        Task<Integer> first = TaskGroupMono.fork(
                group, "flux", Flux.just(1, 2, 3).concatWith(Flux.never()).doOnCancel(cancelled::incrementAndGet));
        group.join();
        assertThat(empty.get()).isNull();
        assertThat(first.get()).isEqualTo(1);
        assertThat(cancelled).hasValue(1);
        group.close();
    }

    @RepeatedTest(10)
    void aForkedPublishersErrorIsATaskFailureHandledByThePolicy() {
        TaskGroup group = open(); // fail-fast
        Task<String> parked = group.fork("parked", () -> waitGate("never"));
        IOException failure = new IOException("reactive failure");
        Task<String> reactive = TaskGroupMono.fork(group, "reactive", Mono.error(failure));
        assertThatThrownBy(group::join)
                .isInstanceOfSatisfying(
                        TaskGroupException.class,
                        (e) -> assertThat(e.failures()).containsExactly(failure));
        assertThat(reactive.state()).isEqualTo(Task.State.FAILED);
        assertThat(reactive.exception()).isSameAs(failure);
        assertThat(parked.cancellationReason()).isEqualTo(CancellationReason.SIBLING_FAILURE);
        group.close();
    }

    @RepeatedTest(10)
    void cancellingAForkedPublishersTaskDisposesTheSubscriptionAndIsNoFailure() throws Exception {
        TaskGroup group = open();
        CountDownLatch subscribed = new CountDownLatch(1);
        CountDownLatch disposed = new CountDownLatch(1);
        Task<String> reactive = TaskGroupMono.fork(
                group,
                "reactive",
                Mono.<String>never()
                        .doOnSubscribe((s) -> subscribed.countDown())
                        .doOnCancel(disposed::countDown));
        assertThat(subscribed.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(reactive.cancel()).isTrue();
        assertThat(disposed.await(10, TimeUnit.SECONDS)).isTrue();
        group.join(); // no failure
        assertThat(reactive.state()).isEqualTo(Task.State.CANCELLED);
        group.close();
    }

    @Test
    void theGroupsDeadlineDisposesAForkedPublisher() throws Exception {
        TaskGroup group =
                open(TaskGroupOptions.builder().timeout(Duration.ofMillis(50)).build());
        CountDownLatch disposed = new CountDownLatch(1);
        Task<String> reactive =
                TaskGroupMono.fork(group, "reactive", Mono.<String>never().doOnCancel(disposed::countDown));
        assertThatThrownBy(group::join).isInstanceOf(TaskGroupTimeoutException.class);
        assertThat(disposed.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(reactive.cancellationReason()).isEqualTo(CancellationReason.TIMEOUT);
        group.close();
    }

    @Test
    void reactiveAndBlockingTasksShareOneGroupAndTheMonoOfItsCompletion() {
        TaskGroup group = open();
        Task<String> blocking = group.fork("blocking", () -> waitGate("blocking"));
        Task<String> reactive = TaskGroupMono.fork(group, "reactive", Mono.fromCallable(() -> "reactive"));
        StepVerifier.create(
                        TaskGroupMono.join(group).then(Mono.fromSupplier(() -> blocking.get() + "+" + reactive.get())))
                .expectSubscription()
                .then(gate::countDown)
                .expectNext("blocking+reactive")
                .expectComplete()
                .verify(WAIT);
        group.close();
    }

    @Test
    void badArgumentsFailAtOnceWithTheirName() {
        TaskGroup group = open();
        assertThatThrownBy(() -> TaskGroupMono.of(null)).hasMessage("task");
        assertThatThrownBy(() -> TaskGroupMono.join(null)).hasMessage("group");
        assertThatThrownBy(() -> TaskGroupMono.fork(null, "n", Mono.empty())).hasMessage("group");
        assertThatThrownBy(() -> TaskGroupMono.fork(group, null, Mono.empty())).hasMessage("name");
        assertThatThrownBy(() -> TaskGroupMono.fork(group, "n", null)).hasMessage("publisher");
        group.close();
        assertThatThrownBy(() -> TaskGroupMono.fork(group, "late", Mono.empty()))
                .isInstanceOf(IllegalStateException.class);
    }
}
