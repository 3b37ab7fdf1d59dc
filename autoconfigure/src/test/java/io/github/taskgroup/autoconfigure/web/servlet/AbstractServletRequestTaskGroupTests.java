package io.github.taskgroup.autoconfigure.web.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.autoconfigure.web.RawHttp;
import io.github.taskgroup.autoconfigure.web.RequestGroupScenarios;
import io.github.taskgroup.autoconfigure.web.TaskRecorder;
import io.github.taskgroup.web.RequestTaskGroupRegistry;
import io.github.taskgroup.web.servlet.DisconnectProbeScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Real server, raw sockets: what every servlet container must do. */
abstract class AbstractServletRequestTaskGroupTests {

    static final Duration WAIT = Duration.ofSeconds(10);

    @LocalServerPort
    int port;

    @Autowired
    TaskRecorder recorder;

    @Autowired
    DisconnectProbeScheduler scheduler;

    @Autowired
    RequestTaskGroupRegistry registry;

    @BeforeEach
    void quiet() {
        await().atMost(WAIT).until(() -> this.registry.size() == 0 && this.recorder.activeTaskThreads.isEmpty());
        this.recorder.reset();
    }

    /** @return a new connection to the server */
    RawHttp client() throws IOException {
        return new RawHttp(this.port);
    }

    /** The detection strategy in use, for the assertion messages. */
    abstract String strategy();

    @ParameterizedTest(name = "{0} closed with {1}")
    @CsvSource({
        "blocking, FIN",
        "blocking, RST",
        "nested, FIN",
        "nested, RST",
        "callable, FIN",
        "callable, RST",
        "webasync, FIN",
        "webasync, RST",
        "deferred, FIN",
        "deferred, RST",
        "future, FIN",
        "future, RST"
    })
    void clientCloseCancelsTheRequestGroup(String endpoint, String close) throws Exception {
        int n = 3;
        String group = endpoint.equals("nested") ? "nested" : "GET /" + endpoint;
        RawHttp client = client().send(RawHttp.get("/" + endpoint + "?n=" + n));
        await().atMost(WAIT).until(() -> this.recorder.running(group) == n);
        // Close once the request is registered (at the first tick at which it is half an interval old: the
        // tick after next at the latest, whose pass is over when the count moves on once more).
        long ticks = this.scheduler.ticks();
        await().atMost(WAIT).until(() -> this.scheduler.ticks() >= ticks + 3);
        client.closeWith(close);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(this.recorder.cancelled(group, CancellationReason.REQUEST_ABORTED))
                    .as("tasks cancelled for request-aborted (%s)", strategy())
                    .isEqualTo(n);
            assertThat(this.recorder.running(group)).isZero();
            assertThat(this.recorder.activeTaskThreads).isEmpty();
        });
        // The request is completed by the library, before its async timeout (2s from the start).
        await().atMost(Duration.ofMillis(1200)).until(() -> this.registry.size() == 0);
        assertThat(this.recorder.succeeded(group)).isZero();
    }

    @ParameterizedTest(name = "{0} closed with {1}")
    @CsvSource({"blocking, FIN", "blocking, RST", "deferred, FIN", "deferred, RST"})
    void clientCloseRightAfterTheGroupOpensIsDetected(String endpoint, String close) throws Exception {
        // No wait for the probe: the connection is closed before the scheduler even registered it.
        int n = 2;
        String group = "GET /" + endpoint;
        RawHttp client = client().send(RawHttp.get("/" + endpoint + "?n=" + n));
        await().atMost(WAIT).until(() -> this.recorder.running(group) == n);
        client.closeWith(close);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(this.recorder.cancelled(group, CancellationReason.REQUEST_ABORTED))
                    .as("tasks cancelled for request-aborted (%s)", strategy())
                    .isEqualTo(n);
            assertThat(this.recorder.activeTaskThreads).isEmpty();
        });
        await().atMost(WAIT).until(() -> this.registry.size() == 0);
    }

    @ParameterizedTest(name = "closed with {0}")
    @CsvSource({"FIN", "RST"})
    void aRequestThatWakesTheParkedSchedulerIsWatched(String close) throws Exception {
        // Nothing watched for a second: the scheduler waits without a timeout until a watch wakes it.
        await().atMost(WAIT).until(this.scheduler::isParked);
        int n = 2;
        RawHttp client = client().send(RawHttp.get("/blocking?n=" + n));
        await().atMost(WAIT).until(() -> this.recorder.running("GET /blocking") == n);
        client.closeWith(close);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(this.recorder.cancelled("GET /blocking", CancellationReason.REQUEST_ABORTED))
                    .as("tasks cancelled for request-aborted (%s)", strategy())
                    .isEqualTo(n);
            assertThat(this.recorder.activeTaskThreads).isEmpty();
        });
        await().atMost(WAIT).until(() -> this.registry.size() == 0);
    }

    @Test
    void idleConnectionsAreWaitedOnNotPolled() throws Exception {
        int requests = 20;
        List<RawHttp> clients = new ArrayList<>();
        try {
            for (int i = 0; i < requests; i++) {
                clients.add(client().send(RawHttp.get("/blocking?n=1")));
            }
            await().atMost(WAIT).until(() -> this.scheduler.watchedCount() == requests);
            long registered = this.scheduler.ticks() + 3; // registered within two ticks
            await().atMost(WAIT).until(() -> this.scheduler.ticks() >= registered);
            long checks = this.scheduler.checks();
            long later = this.scheduler.ticks() + 5;
            await().atMost(WAIT).until(() -> this.scheduler.ticks() >= later);
            assertThat(this.scheduler.checks())
                    .as("checks of quiet connections (%s)", strategy())
                    .isEqualTo(checks);
            assertThat(this.scheduler.polledCount()).isZero();
            assertThat(this.recorder.running("GET /blocking")).isEqualTo(requests);
        } finally {
            for (RawHttp client : clients) {
                client.closeWithRst();
            }
        }
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(this.recorder.cancelled("GET /blocking", CancellationReason.REQUEST_ABORTED))
                    .isEqualTo(requests);
            assertThat(this.recorder.activeTaskThreads).isEmpty();
        });
        await().atMost(WAIT).until(() -> this.registry.size() == 0 && this.scheduler.watchedCount() == 0);
    }

    @Test
    void aBodyThatArrivesOnAWatchedConnectionCostsChecksOnlyUntilItIsRead() throws Exception {
        int n = 2;
        String group = "POST /body";
        RawHttp client =
                client().send("POST /body?n=" + n + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\n");
        await().atMost(WAIT).until(() -> this.scheduler.watchedCount() == 1);
        long registered = this.scheduler.ticks() + 3;
        await().atMost(WAIT).until(() -> this.scheduler.ticks() >= registered);
        client.send("hello"); // readable: checked, found still there; then read by the handler
        await().atMost(WAIT).until(() -> this.recorder.running(group) == n);
        long settled = this.scheduler.ticks() + 2;
        await().atMost(WAIT).until(() -> this.scheduler.ticks() >= settled);
        long checks = this.scheduler.checks();
        long later = this.scheduler.ticks() + 5;
        await().atMost(WAIT).until(() -> this.scheduler.ticks() >= later);
        assertThat(this.scheduler.checks())
                .as("checks once the body was read (%s)", strategy())
                .isEqualTo(checks);
        client.closeWithFin();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(this.recorder.cancelled(group, CancellationReason.REQUEST_ABORTED))
                    .isEqualTo(n);
            assertThat(this.recorder.activeTaskThreads).isEmpty();
        });
        await().atMost(WAIT).until(() -> this.registry.size() == 0);
    }

    @Test
    void normalCompletionKeepAliveAndPipelining() throws Exception {
        try (RawHttp client = client()) {
            // Two pipelined requests that take several probe intervals each, then one more on the same connection.
            client.send(RawHttp.get("/fast?ms=150"), RawHttp.get("/fast?ms=150"));
            assertThat(client.read()).isEqualTo(new RawHttp.Response(200, "ok"));
            assertThat(client.read()).isEqualTo(new RawHttp.Response(200, "ok"));
            client.send(RawHttp.get("/fast?ms=100"));
            assertThat(client.read()).isEqualTo(new RawHttp.Response(200, "ok"));
            client.send(RawHttp.get("/plain"));
            assertThat(client.read()).isEqualTo(new RawHttp.Response(200, "plain"));
        }
        assertThat(this.recorder.succeeded("GET /fast")).isEqualTo(6);
        assertThat(this.recorder.closed("GET /fast")).isEqualTo(3);
        for (CancellationReason reason : CancellationReason.values()) {
            assertThat(this.recorder.cancelled("GET /fast", reason)).isZero();
        }
    }

    @ParameterizedTest
    @CsvSource({"callable", "webasync", "deferred", "future"})
    void asyncTimeoutCancelsWithReasonTimeout(String endpoint) throws Exception {
        String group = "GET /" + endpoint;
        try (RawHttp client = client()) {
            client.send(RawHttp.get("/" + endpoint + "?n=2"));
            assertThat(client.read().status()).isEqualTo(503);
        }
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(this.recorder.cancelled(group, CancellationReason.TIMEOUT))
                    .isEqualTo(2);
            assertThat(this.recorder.activeTaskThreads).isEmpty();
            assertThat(this.recorder.closed(group)).isEqualTo(1);
        });
        assertThat(this.recorder.cancelled(group, CancellationReason.REQUEST_ABORTED))
                .isZero();
    }

    @Test
    void leftoverTasksAreCancelledAtCompletion() throws Exception {
        RequestGroupScenarios.leftoverTasksAreCancelledAtCompletion(client(), this.recorder);
    }

    @Test
    void requestsThatDoNotAskOpenNothing() throws Exception {
        try (RawHttp client = client()) {
            client.send(RawHttp.get("/plain"));
            assertThat(client.read()).isEqualTo(new RawHttp.Response(200, "plain"));
        }
        assertThat(this.scheduler.watchedCount()).isZero();
        assertThat(this.registry.size()).isZero();
    }
}
