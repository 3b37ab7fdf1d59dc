package io.github.taskgroup.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Who cancels a request group decides whether its {@code join()} is loud, and what the client gets. */
class RequestTaskGroupCancelTests {

    private final TaskGroupFactory factory = TaskGroupFactory.builder().build();

    private final RequestTaskGroupRegistry registry = new RequestTaskGroupRegistry();

    @AfterEach
    void shutdown() {
        this.factory.shutdown();
    }

    private RequestTaskGroup request() {
        return new RequestTaskGroup(this.factory, () -> "GET /work", this.registry);
    }

    private static CountDownLatch forkSlow(TaskGroup group) {
        CountDownLatch started = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            group.fork(() -> {
                started.countDown();
                Thread.sleep(60_000); // the workload: until interrupted
                return "slow";
            });
        }
        return started;
    }

    @RepeatedTest(5)
    void cancelFromServerMakesJoinThrowAndIsAnsweredWith503() throws Exception {
        RequestTaskGroup scope = request();
        TaskGroup group = scope.group();
        assertThat(forkSlow(group).await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(this.registry.find(group.id())).containsSame(scope);
        assertThat(this.registry.find(group.id() + 1_000)).isEmpty();
        assertThat(scope.cancelFromServer()).isTrue();
        assertThat(scope.cancelFromServer()).isFalse();
        assertThatExceptionOfType(CancellationException.class).isThrownBy(group::join);
        assertThat(scope.isCancelledByServer()).isTrue();
        assertThat(scope.abortReason()).contains(CancellationReason.REQUEST_ABORTED);
        CancellationException joined = new CancellationException("joined");
        assertThat(TaskGroupErrorResponses.isClientGone(joined, scope, "GET /work"))
                .isFalse();
        TaskGroupErrorResponseException answer =
                TaskGroupErrorResponses.translate(joined, scope, "GET /work", Duration.ofSeconds(5));
        assertThat(answer).isNotNull();
        assertThat(answer.getStatusCode().value()).isEqualTo(503);
        assertThat(answer.getBody().getProperties())
                .containsEntry("taskGroup", "GET /work")
                .containsEntry("reason", "request-aborted");
        assertThat(answer.getHeaders().getFirst("Retry-After")).isNull();
        scope.complete();
        assertThat(this.registry.size()).isZero();
    }

    @Test
    void theHandlersOwnCancelStaysQuiet() throws Exception {
        RequestTaskGroup scope = request();
        TaskGroup group = scope.group();
        assertThat(forkSlow(group).await(10, TimeUnit.SECONDS)).isTrue();
        group.cancel();
        group.join(); // returns normally
        assertThat(scope.abortReason()).isEmpty();
        assertThat(TaskGroupErrorResponses.translate(
                        new CancellationException(), scope, "GET /work", Duration.ofSeconds(5)))
                .isNull();
        scope.complete();
    }

    @Test
    void aClientThatLeftGetsNothing() throws Exception {
        RequestTaskGroup scope = request();
        TaskGroup group = scope.group();
        assertThat(forkSlow(group).await(10, TimeUnit.SECONDS)).isTrue();
        scope.abort(CancellationReason.REQUEST_ABORTED);
        assertThatExceptionOfType(CancellationException.class).isThrownBy(group::join);
        assertThat(scope.isCancelledByServer()).isFalse();
        assertThat(TaskGroupErrorResponses.isClientGone(new CancellationException(), scope, "GET /work"))
                .isTrue();
        scope.complete();
    }

    @Test
    void shutdownIs503WithRetryAfter() throws Exception {
        RequestTaskGroup scope = request();
        TaskGroup group = scope.group();
        assertThat(forkSlow(group).await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(this.registry.abortAll()).isEqualTo(1);
        assertThatExceptionOfType(CancellationException.class).isThrownBy(group::join);
        assertThat(scope.isCancelledByServer()).isTrue();
        TaskGroupErrorResponseException answer = TaskGroupErrorResponses.translate(
                new InterruptedException(), scope, "GET /work", Duration.ofSeconds(7));
        assertThat(answer).isNotNull();
        assertThat(answer.getHeaders().getFirst("Retry-After")).isEqualTo("7");
        assertThat(answer.getBody().getProperties()).containsEntry("reason", "shutdown");
        scope.complete();
    }
}
