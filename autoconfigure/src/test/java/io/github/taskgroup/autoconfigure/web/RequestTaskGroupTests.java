package io.github.taskgroup.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupOptions;
import io.github.taskgroup.TaskGroupPolicy;
import io.github.taskgroup.web.RequestTaskGroup;
import io.github.taskgroup.web.RequestTaskGroupRegistry;
import io.github.taskgroup.web.RequestTaskGroupSettings;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The per-request object every abort signal and the completion go through. */
class RequestTaskGroupTests {

    private final TaskRecorder recorder = new TaskRecorder();

    private final TaskGroupFactory factory =
            TaskGroupFactory.builder().listener(this.recorder).build();

    private final RequestTaskGroupRegistry registry = new RequestTaskGroupRegistry();

    @AfterEach
    void close() {
        this.factory.close();
    }

    private Task<String> forkSlow(TaskGroup group, CountDownLatch started) {
        return group.fork("slow", () -> {
            started.countDown();
            new CountDownLatch(1).await(); // until interrupted
            return "never";
        });
    }

    /**
     * A DeferredResult's error result, set by an abort action, dispatches the request to a container thread,
     * which can complete it (and close the group) before abort() has cancelled the group. This is what made
     * the Jetty "future"/"deferred" disconnect tests flaky (tasks cancelled as leftovers, reason explicit).
     * Here the action completes the request itself, the worst interleaving, deterministically.
     */
    @Test
    void completionInsideAnAbortActionCancelsWithTheAbortsReason() throws Exception {
        RequestTaskGroup request = new RequestTaskGroup(this.factory, () -> "GET /race", this.registry);
        CountDownLatch started = new CountDownLatch(2);
        Task<String> a = forkSlow(request.group(), started);
        Task<String> b = forkSlow(request.group(), started);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        request.onAbort((reason) -> request.complete());
        assertThat(request.abort(CancellationReason.REQUEST_ABORTED)).isTrue();
        assertThat(a.state()).isEqualTo(Task.State.CANCELLED);
        assertThat(a.cancellationReason()).isEqualTo(CancellationReason.REQUEST_ABORTED);
        assertThat(b.cancellationReason()).isEqualTo(CancellationReason.REQUEST_ABORTED);
        assertThat(this.recorder.cancelled("GET /race", CancellationReason.REQUEST_ABORTED))
                .isEqualTo(2);
        assertThat(this.recorder.cancelled("GET /race", CancellationReason.EXPLICIT))
                .isZero();
        assertThat(this.registry.size()).isZero();
    }

    @Test
    void abortIsIdempotentAndTheFirstReasonSticks() throws Exception {
        RequestTaskGroup request = new RequestTaskGroup(this.factory, () -> "GET /twice", this.registry);
        CountDownLatch started = new CountDownLatch(1);
        Task<String> a = forkSlow(request.group(), started);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        int[] actions = new int[1];
        request.onAbort((reason) -> actions[0]++);
        assertThat(request.abort(CancellationReason.TIMEOUT)).isTrue();
        assertThat(request.abort(CancellationReason.REQUEST_ABORTED)).isFalse();
        request.complete();
        request.complete();
        assertThat(actions[0]).isEqualTo(1);
        assertThat(a.cancellationReason()).isEqualTo(CancellationReason.TIMEOUT);
        assertThat(request.abortReason()).contains(CancellationReason.TIMEOUT);
    }

    @Test
    void completionWithoutAbortCancelsLeftoversAsExplicit() throws Exception {
        RequestTaskGroup request = new RequestTaskGroup(this.factory, () -> "GET /left", this.registry);
        CountDownLatch started = new CountDownLatch(1);
        Task<String> a = forkSlow(request.group(), started);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        request.complete();
        assertThat(a.cancellationReason()).isEqualTo(CancellationReason.EXPLICIT);
        assertThat(request.abort(CancellationReason.REQUEST_ABORTED)).isFalse();
    }

    @Test
    void aClientThatLeavesAbortsTheRequestAndIsCountedOnceAsCancelled() throws Exception {
        List<String> counted = new CopyOnWriteArrayList<>();
        RequestTaskGroupRegistry counting =
                new RequestTaskGroupRegistry((group, cancelled) -> counted.add(group + " " + cancelled));
        RequestTaskGroup request = new RequestTaskGroup(this.factory, () -> "GET /gone", counting);
        CountDownLatch started = new CountDownLatch(1);
        Task<String> a = forkSlow(request.group(), started);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(request.clientLeft()).isTrue();
        assertThat(request.clientLeft()).isFalse();
        request.complete();
        assertThat(a.cancellationReason()).isEqualTo(CancellationReason.REQUEST_ABORTED);
        assertThat(counted).containsExactly("GET /gone true");
    }

    @Test
    void aClientThatLeavesARouteThatOptedOutIsOnlyCountedAndTheTasksRunOn() throws Exception {
        List<String> counted = new CopyOnWriteArrayList<>();
        RequestTaskGroupRegistry counting =
                new RequestTaskGroupRegistry((group, cancelled) -> counted.add(group + " " + cancelled));
        RequestTaskGroup request = new RequestTaskGroup(
                this.factory,
                () -> "GET /stay",
                (name) -> new RequestTaskGroupSettings(TaskGroupOptions.defaults(), false),
                counting);
        CountDownLatch release = new CountDownLatch(1);
        Task<String> a = request.group().fork("gated", () -> {
            release.await();
            return "done";
        });
        assertThat(request.clientLeft()).isFalse();
        assertThat(request.clientLeft()).isFalse();
        assertThat(counted).containsExactly("GET /stay false");
        assertThat(request.abortReason()).isEmpty();
        assertThat(a.state()).isIn(Task.State.PENDING, Task.State.RUNNING);
        release.countDown();
        request.completeWhenTasksEnd();
        assertThat(a.state()).isEqualTo(Task.State.SUCCEEDED);
        assertThat(this.registry.size()).isZero();
    }

    @Test
    void aClientThatLeavesAfterCompletionIsNotCounted() {
        List<String> counted = new CopyOnWriteArrayList<>();
        RequestTaskGroup request = new RequestTaskGroup(
                this.factory,
                () -> "GET /done",
                new RequestTaskGroupRegistry((group, cancelled) -> counted.add(group)));
        request.group();
        request.complete();
        assertThat(request.clientLeft()).isFalse();
        assertThat(counted).isEmpty();
    }

    @Test
    void theSettingsGiveTheOpenedGroupItsOptions() {
        RequestTaskGroup request = new RequestTaskGroup(
                this.factory,
                () -> "GET /policy",
                (name) -> new RequestTaskGroupSettings(
                        TaskGroupOptions.builder()
                                .policy(TaskGroupPolicy.SUPERVISE)
                                .build(),
                        null),
                this.registry);
        assertThat(request.group().policy()).isEqualTo(TaskGroupPolicy.SUPERVISE);
        request.complete();
    }
}
