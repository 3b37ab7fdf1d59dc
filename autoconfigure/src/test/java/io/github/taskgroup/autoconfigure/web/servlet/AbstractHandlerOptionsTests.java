package io.github.taskgroup.autoconfigure.web.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.autoconfigure.web.RawHttp;
import io.github.taskgroup.autoconfigure.web.TaskRecorder;
import io.github.taskgroup.micrometer.TaskGroupMeters;
import io.github.taskgroup.web.RequestTaskGroupRegistry;
import io.github.taskgroup.web.servlet.DisconnectProbeScheduler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Real server: {@code @RequestTaskGroupOptions} on handlers, the property that overrides it, and the opt-out of
 * cancel-on-disconnect. Subclasses set {@code taskgroup.groups.[GET /opts/policy].policy=first-success}.
 */
abstract class AbstractHandlerOptionsTests {

    static final Duration WAIT = Duration.ofSeconds(10);

    @LocalServerPort
    int port;

    @Autowired
    TaskRecorder recorder;

    @Autowired
    DisconnectProbeScheduler scheduler;

    @Autowired
    RequestTaskGroupRegistry registry;

    @Autowired
    MeterRegistry meters;

    @BeforeEach
    void quiet() {
        await().atMost(WAIT).until(() -> this.registry.size() == 0 && this.recorder.activeTaskThreads.isEmpty());
        this.recorder.reset();
        this.recorder.gate = new CountDownLatch(1);
    }

    @AfterEach
    void openTheGate() {
        this.recorder.gate.countDown();
    }

    private String get(String path) throws Exception {
        try (RawHttp client = new RawHttp(this.port)) {
            return client.send(RawHttp.get(path)).read().body();
        }
    }

    private double disconnected(String group, String action) {
        Counter counter = this.meters
                .find(TaskGroupMeters.REQUESTS_DISCONNECTED)
                .tags(TaskGroupMeters.GROUP, group, TaskGroupMeters.ACTION, action)
                .counter();
        return (counter != null) ? counter.count() : 0;
    }

    @Test
    void theAnnotationsTimeoutIsTheGroupsDeadline() throws Exception {
        String group = "GET /opts/timeout";
        try (RawHttp client = new RawHttp(this.port)) {
            client.send(RawHttp.get("/opts/timeout")).read(); // the status is the exception handling's business
        }
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(this.recorder.closed(group, TaskGroup.Outcome.TIMEOUT)).isEqualTo(1);
            assertThat(this.recorder.cancelled(group, CancellationReason.TIMEOUT))
                    .isEqualTo(1);
            assertThat(this.recorder.activeTaskThreads).isEmpty();
        });
    }

    @Test
    void aPropertyWinsOverTheAnnotationAttributeByAttribute() throws Exception {
        // policy: the property's first-success over the annotation's supervise; timeout: the annotation's 7s
        assertThat(get("/opts/policy")).isEqualTo("FIRST_SUCCESS true");
    }

    @Test
    void aClassLevelAnnotationAppliesToItsHandlers() throws Exception {
        assertThat(get("/opts/class")).isEqualTo("FIRST_SUCCESS false");
    }

    @RepeatedTest(5)
    void aClientThatLeavesAnOptedOutRouteIsCountedAndItsTasksRunToCompletion() throws Exception {
        int n = 2;
        String group = "GET /opts/optout";
        double ignored = disconnected(group, TaskGroupMeters.ACTION_IGNORED);
        double cancelled = disconnected(group, TaskGroupMeters.ACTION_CANCELLED);
        RawHttp client = new RawHttp(this.port).send(RawHttp.get("/opts/optout?n=" + n));
        await().atMost(WAIT).until(() -> this.recorder.running(group) == n);
        // Close once the request is watched (as in AbstractServletRequestTaskGroupTests).
        long ticks = this.scheduler.ticks();
        await().atMost(WAIT).until(() -> this.scheduler.ticks() >= ticks + 3);
        client.closeWithRst();
        await().atMost(WAIT).until(() -> disconnected(group, TaskGroupMeters.ACTION_IGNORED) == ignored + 1);
        assertThat(this.recorder.running(group)).isEqualTo(n);
        assertThat(this.recorder.cancelled(group)).isZero();
        assertThat(this.registry.size()).isEqualTo(1);

        this.recorder.gate.countDown();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(this.recorder.succeeded(group)).isEqualTo(n);
            assertThat(this.recorder.closed(group, TaskGroup.Outcome.SUCCEEDED)).isEqualTo(1);
            assertThat(this.registry.size()).isZero();
        });
        assertThat(this.recorder.cancelled(group)).isZero();
        assertThat(disconnected(group, TaskGroupMeters.ACTION_IGNORED)).isEqualTo(ignored + 1);
        assertThat(disconnected(group, TaskGroupMeters.ACTION_CANCELLED)).isEqualTo(cancelled);
    }

    @Test
    void aClientThatLeavesAnotherRouteIsCountedAsCancelled() throws Exception {
        String group = "GET /blocking";
        double cancelled = disconnected(group, TaskGroupMeters.ACTION_CANCELLED);
        RawHttp client = new RawHttp(this.port).send(RawHttp.get("/blocking?n=1"));
        await().atMost(WAIT).until(() -> this.recorder.running(group) == 1);
        long ticks = this.scheduler.ticks();
        await().atMost(WAIT).until(() -> this.scheduler.ticks() >= ticks + 3);
        client.closeWithRst();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(this.recorder.cancelled(group, CancellationReason.REQUEST_ABORTED))
                    .isEqualTo(1);
            assertThat(disconnected(group, TaskGroupMeters.ACTION_CANCELLED)).isEqualTo(cancelled + 1);
        });
        await().atMost(WAIT).until(() -> this.registry.size() == 0);
    }
}
