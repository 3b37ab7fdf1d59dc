package io.github.taskgroup.autoconfigure.web.reactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.autoconfigure.web.RawHttp;
import io.github.taskgroup.autoconfigure.web.RequestGroupScenarios;
import io.github.taskgroup.autoconfigure.web.TaskRecorder;
import io.github.taskgroup.micrometer.TaskGroupMeters;
import io.github.taskgroup.web.RequestTaskGroupOptions;
import io.github.taskgroup.web.RequestTaskGroupRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** WebFlux on Reactor Netty: the subscription's cancellation aborts the request's group. */
@SpringBootTest(
        classes = WebFluxRequestTaskGroupTests.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.main.web-application-type=reactive",
            "taskgroup.groups.[GET\\ /opts/policy].policy=first-success",
            "spring.autoconfigure.exclude=org.springframework.boot.tomcat.autoconfigure.reactive."
                    + "TomcatReactiveWebServerAutoConfiguration,org.springframework.boot.jetty.autoconfigure."
                    + "reactive.JettyReactiveWebServerAutoConfiguration"
        })
class WebFluxRequestTaskGroupTests {

    static final Duration WAIT = Duration.ofSeconds(10);

    @LocalServerPort
    int port;

    @Autowired
    TaskRecorder recorder;

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
        try (RawHttp client = new RawHttp(this.port)) {
            // policy: the property's first-success over the annotation's supervise; timeout: the annotation's
            assertThat(client.send(RawHttp.get("/opts/policy")).read().body()).isEqualTo("FIRST_SUCCESS true");
        }
    }

    @RepeatedTest(5)
    void aClientThatLeavesAnOptedOutRouteIsCountedAndItsTasksRunToCompletion() throws Exception {
        int n = 2;
        String group = "GET /opts/optout";
        double ignored = disconnected(group, TaskGroupMeters.ACTION_IGNORED);
        double cancelled = disconnected(group, TaskGroupMeters.ACTION_CANCELLED);
        RawHttp client = new RawHttp(this.port).send(RawHttp.get("/opts/optout?n=" + n));
        await().atMost(WAIT).until(() -> this.recorder.running(group) == n);
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
        String group = "GET /mono";
        double cancelled = disconnected(group, TaskGroupMeters.ACTION_CANCELLED);
        RawHttp client = new RawHttp(this.port).send(RawHttp.get("/mono?n=1"));
        await().atMost(WAIT).until(() -> this.recorder.running(group) == 1);
        client.closeWithRst();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(this.recorder.cancelled(group, CancellationReason.REQUEST_ABORTED))
                    .isEqualTo(1);
            assertThat(disconnected(group, TaskGroupMeters.ACTION_CANCELLED)).isEqualTo(cancelled + 1);
        });
        await().atMost(WAIT).until(() -> this.registry.size() == 0);
    }

    @ParameterizedTest(name = "{0} closed with {1}")
    @CsvSource({"mono, FIN", "mono, RST", "flux, FIN", "flux, RST"})
    void clientCloseCancelsTheRequestGroup(String endpoint, String close) throws Exception {
        int n = 3;
        String group = "GET /" + endpoint;
        RawHttp client = new RawHttp(this.port).send(RawHttp.get("/" + endpoint + "?n=" + n));
        await().atMost(WAIT).until(() -> this.recorder.running(group) == n);
        client.closeWith(close);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(this.recorder.cancelled(group, CancellationReason.REQUEST_ABORTED))
                    .isEqualTo(n);
            assertThat(this.recorder.running(group)).isZero();
            assertThat(this.recorder.activeTaskThreads).isEmpty();
            assertThat(this.recorder.closed(group)).isEqualTo(1);
        });
        assertThat(this.registry.size()).isZero();
    }

    @ParameterizedTest(name = "closed with {0}")
    @CsvSource({"FIN", "RST"})
    void clientCloseWhileAFluxStreamsCancelsTheRequestGroup(String close) throws Exception {
        int n = 2;
        String group = "GET /stream";
        RawHttp client = new RawHttp(this.port).send(RawHttp.get("/stream?n=" + n));
        client.readUntil("first");
        await().atMost(WAIT).until(() -> this.recorder.running(group) == n);
        client.closeWith(close);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(this.recorder.cancelled(group, CancellationReason.REQUEST_ABORTED))
                    .isEqualTo(n);
            assertThat(this.recorder.activeTaskThreads).isEmpty();
            assertThat(this.recorder.closed(group)).isEqualTo(1);
        });
    }

    @Test
    void normalCompletionKeepAliveAndPipelining() throws Exception {
        try (RawHttp client = new RawHttp(this.port)) {
            client.send(RawHttp.get("/fast?ms=100"), RawHttp.get("/fast?ms=100"));
            assertThat(client.read()).isEqualTo(new RawHttp.Response(200, "ok"));
            assertThat(client.read()).isEqualTo(new RawHttp.Response(200, "ok"));
            client.send(RawHttp.get("/fast?ms=50"));
            assertThat(client.read()).isEqualTo(new RawHttp.Response(200, "ok"));
        }
        await().atMost(WAIT).until(() -> this.recorder.closed("GET /fast") == 3);
        assertThat(this.recorder.succeeded("GET /fast")).isEqualTo(6);
        for (CancellationReason reason : CancellationReason.values()) {
            assertThat(this.recorder.cancelled("GET /fast", reason)).isZero();
        }
    }

    @Test
    void leftoverTasksAreCancelledAtCompletion() throws Exception {
        RequestGroupScenarios.leftoverTasksAreCancelledAtCompletion(new RawHttp(this.port), this.recorder);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean
        TaskRecorder taskRecorder() {
            return new TaskRecorder();
        }

        @RestController
        static class Handlers {

            private final TaskRecorder recorder;

            Handlers(TaskRecorder recorder) {
                this.recorder = recorder;
            }

            private void forkSlow(TaskGroup group, int n) {
                for (int i = 0; i < n; i++) {
                    group.fork(() -> {
                        this.recorder.activeTaskThreads.add(Thread.currentThread());
                        try {
                            Thread.sleep(60_000); // the workload: sleeps until interrupted
                            return "slow";
                        } finally {
                            this.recorder.activeTaskThreads.remove(Thread.currentThread());
                        }
                    });
                }
            }

            private static Mono<String> joined(TaskGroup group, String result) {
                return Mono.fromCallable(() -> {
                            group.join();
                            return result;
                        })
                        .subscribeOn(Schedulers.boundedElastic());
            }

            @GetMapping("/mono")
            Mono<String> mono(TaskGroup group, @RequestParam int n) {
                forkSlow(group, n);
                return joined(group, "done");
            }

            @GetMapping("/flux")
            Flux<String> flux(TaskGroup group, @RequestParam int n) {
                forkSlow(group, n);
                // Nothing is written before the tasks end. (Once a streamed element has been written, Reactor
                // Netty notices a closed connection only at the next write: see the README's limits.)
                return joined(group, "done").concatWith(Flux.just("end"));
            }

            @GetMapping(path = "/stream", produces = "text/plain")
            Flux<String> stream(TaskGroup group, @RequestParam int n) {
                forkSlow(group, n);
                // One element written at once, the next only when the tasks end.
                return Flux.concat(Mono.just("first\n"), joined(group, "done\n"));
            }

            @GetMapping("/fast")
            Mono<String> fast(TaskGroup group, @RequestParam long ms) {
                for (int i = 0; i < 2; i++) {
                    group.fork(() -> {
                        Thread.sleep(ms); // the workload
                        return "x";
                    });
                }
                return joined(group, "ok");
            }

            @GetMapping("/opts/timeout")
            @RequestTaskGroupOptions(timeout = "200ms")
            Mono<String> timeout(TaskGroup group) {
                forkSlow(group, 1);
                return joined(group, "never"); // TaskGroupTimeoutException
            }

            @GetMapping("/opts/policy")
            @RequestTaskGroupOptions(policy = "supervise", timeout = "7s")
            Mono<String> policy(TaskGroup group) {
                return Mono.just(group.policy() + " " + group.deadline().isPresent());
            }

            /** Completes when its tasks end; the chain's cancellation does not cancel the future. */
            @GetMapping("/opts/optout")
            @RequestTaskGroupOptions(cancelOnDisconnect = false)
            Mono<String> optOut(TaskGroup group, @RequestParam int n) {
                CompletableFuture<String> done = new CompletableFuture<>();
                AtomicInteger left = new AtomicInteger(n);
                for (int i = 0; i < n; i++) {
                    group.fork("gated-" + i, () -> {
                        String result = this.recorder.gated();
                        if (left.decrementAndGet() == 0) {
                            done.complete("done");
                        }
                        return result;
                    });
                }
                return Mono.fromFuture(done, true);
            }

            @GetMapping("/leftover")
            Mono<String> leftover(TaskGroup group, @RequestParam int n) {
                forkSlow(group, n);
                return Mono.just("left");
            }
        }
    }
}
