package io.github.taskgroup.autoconfigure.web.reactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupException;
import io.github.taskgroup.TaskGroupExecutors;
import io.github.taskgroup.TaskGroupListener;
import io.github.taskgroup.autoconfigure.web.RawHttp;
import io.github.taskgroup.autoconfigure.web.TaskRecorder;
import io.github.taskgroup.reactor.TaskGroupMono;
import io.github.taskgroup.web.RequestTaskGroupOptions;
import io.github.taskgroup.web.RequestTaskGroupRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * WebFlux handlers that fork blocking work into their request group and return
 * {@code TaskGroupMono.join(group)}: no thread waits for the tasks, and no bounded-elastic thread is used,
 * while the request group's lifecycle (close at the end, cancel on disconnect, deadline, status) holds.
 */
@SpringBootTest(
        classes = WebFluxJoinMonoTests.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.main.web-application-type=reactive",
            "server.error.include-message=always",
            // the default executor is virtual on JDK 21+ only when Spring Boot's virtual threads are on
            "spring.threads.virtual.enabled=true",
            "spring.autoconfigure.exclude=org.springframework.boot.tomcat.autoconfigure.reactive."
                    + "TomcatReactiveWebServerAutoConfiguration,org.springframework.boot.jetty.autoconfigure."
                    + "reactive.JettyReactiveWebServerAutoConfiguration"
        })
class WebFluxJoinMonoTests {

    static final Duration WAIT = Duration.ofSeconds(10);

    @LocalServerPort
    int port;

    @Autowired
    TaskRecorder recorder;

    @Autowired
    Threads threads;

    @Autowired
    RequestTaskGroupRegistry registry;

    final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void quiet() {
        await().atMost(WAIT).until(() -> this.registry.size() == 0 && this.recorder.activeTaskThreads.isEmpty());
        this.recorder.reset();
        this.recorder.gate = new CountDownLatch(1);
        this.threads.names.clear();
        this.threads.taskThreads.clear();
    }

    @AfterEach
    void openTheGate() {
        this.recorder.gate.countDown();
    }

    HttpResponse<String> get(String path) throws Exception {
        return this.http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
                        .timeout(WAIT)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    void assertNoBoundedElasticThread() {
        assertThat(this.threads.names).isNotEmpty().noneMatch((name) -> name.contains("boundedElastic"));
    }

    @RepeatedTest(5)
    void aFanOutAnswersWithItsTasksResultsAndNoThreadWaits() throws Exception {
        HttpResponse<String> response = get("/fanout");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("price+stock+reviews");
        await().atMost(WAIT).until(() -> this.recorder.closed("GET /fanout", TaskGroup.Outcome.SUCCEEDED) == 1);
        assertThat(this.recorder.succeeded("GET /fanout")).isEqualTo(3);
        assertThat(this.registry.size()).isZero();
        // task bodies, the continuation after the join, and the group's close (a listener): never bounded-elastic
        assertThat(this.threads.names).anyMatch((name) -> name.startsWith("continuation "));
        assertThat(this.threads.names).anyMatch((name) -> name.startsWith("closed "));
        assertNoBoundedElasticThread();
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void theBlockingWorkRunsOnVirtualThreads() throws Exception {
        assertThat(get("/fanout").statusCode()).isEqualTo(200);
        assertThat(this.threads.taskThreads).hasSize(3).allMatch(TaskGroupExecutors::isVirtual);
    }

    @RepeatedTest(5)
    void aFailureIsAnsweredWithTheHandlersStatusAndCancelsTheSiblings() throws Exception {
        HttpResponse<String> response = get("/failing");
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("stock service down");
        await().atMost(WAIT).until(() -> this.recorder.closed("GET /failing", TaskGroup.Outcome.FAILED) == 1);
        assertThat(this.recorder.cancelled("GET /failing", CancellationReason.SIBLING_FAILURE))
                .isEqualTo(2);
        assertThat(this.recorder.activeTaskThreads).isEmpty();
        assertNoBoundedElasticThread();
    }

    @Test
    void theDeadlineIsAnswered504() throws Exception {
        HttpResponse<String> response = get("/deadline");
        assertThat(response.statusCode()).isEqualTo(504);
        await().atMost(WAIT).until(() -> this.recorder.closed("GET /deadline", TaskGroup.Outcome.TIMEOUT) == 1);
        assertThat(this.recorder.cancelled("GET /deadline", CancellationReason.TIMEOUT))
                .isEqualTo(2);
        assertNoBoundedElasticThread();
    }

    @RepeatedTest(5)
    void aClientThatHangsUpCancelsTheGroupWithRequestAborted() throws Exception {
        String group = "GET /hangup";
        RawHttp client = new RawHttp(this.port).send(RawHttp.get("/hangup"));
        await().atMost(WAIT).until(() -> this.recorder.running(group) == 3);
        client.closeWithRst();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(this.recorder.cancelled(group, CancellationReason.REQUEST_ABORTED))
                    .isEqualTo(3);
            assertThat(this.recorder.closed(group, TaskGroup.Outcome.CANCELLED)).isEqualTo(1);
            assertThat(this.recorder.activeTaskThreads).isEmpty();
            assertThat(this.registry.size()).isZero();
        });
        assertThat(this.recorder.cancelled(group, CancellationReason.EXPLICIT)).isZero();
        assertNoBoundedElasticThread();
    }

    @Test
    void aClientThatLeavesAnOptedOutRouteLeavesTheGroupRunningUntilItsTasksEnd() throws Exception {
        String group = "GET /optout";
        RawHttp client = new RawHttp(this.port).send(RawHttp.get("/optout"));
        await().atMost(WAIT).until(() -> this.recorder.running(group) == 2);
        client.closeWithRst();
        await().atMost(WAIT).until(() -> this.threads.names.contains("cancelled-subscription"));
        assertThat(this.recorder.running(group)).isEqualTo(2);
        assertThat(this.registry.size()).isEqualTo(1);

        this.recorder.gate.countDown();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(this.recorder.succeeded(group)).isEqualTo(2);
            assertThat(this.recorder.closed(group, TaskGroup.Outcome.SUCCEEDED)).isEqualTo(1);
            assertThat(this.registry.size()).isZero();
        });
        assertThat(this.recorder.cancelled(group)).isZero();
        assertNoBoundedElasticThread();
    }

    /** Thread names seen by task bodies, continuations and the group's close. */
    static class Threads implements TaskGroupListener {

        final Set<String> names = ConcurrentHashMap.newKeySet();

        final Set<Thread> taskThreads = ConcurrentHashMap.newKeySet();

        void record(String where) {
            this.names.add(where + " " + Thread.currentThread().getName());
        }

        @Override
        public void groupClosed(TaskGroup group, TaskGroup.Outcome outcome, long durationNanos) {
            record("closed");
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean
        TaskRecorder taskRecorder() {
            return new TaskRecorder();
        }

        @Bean
        Threads threads() {
            return new Threads();
        }

        @RestController
        static class Handlers {

            private final TaskRecorder recorder;

            private final Threads threads;

            Handlers(TaskRecorder recorder, Threads threads) {
                this.recorder = recorder;
                this.threads = threads;
            }

            private Task<String> fork(TaskGroup group, String name) {
                return group.fork(name, () -> {
                    this.threads.record("task");
                    this.threads.taskThreads.add(Thread.currentThread());
                    Thread.sleep(20); // blocking work
                    return name;
                });
            }

            private Task<String> forkSlow(TaskGroup group, String name) {
                return group.fork(name, () -> {
                    this.threads.record("task");
                    this.recorder.activeTaskThreads.add(Thread.currentThread());
                    try {
                        Thread.sleep(60_000); // the workload: sleeps until interrupted
                        return name;
                    } finally {
                        this.recorder.activeTaskThreads.remove(Thread.currentThread());
                    }
                });
            }

            @GetMapping("/fanout")
            Mono<String> fanout(TaskGroup group) {
                Task<String> price = fork(group, "price");
                Task<String> stock = fork(group, "stock");
                Task<String> reviews = fork(group, "reviews");
                return TaskGroupMono.join(group).then(Mono.fromSupplier(() -> {
                    this.threads.record("continuation");
                    return price.get() + "+" + stock.get() + "+" + reviews.get();
                }));
            }

            @GetMapping("/failing")
            @RequestTaskGroupOptions(policy = "fail-fast")
            Mono<ResponseEntity<String>> failing(TaskGroup group) {
                forkSlow(group, "price");
                forkSlow(group, "reviews");
                group.fork("stock", () -> {
                    this.threads.record("task");
                    throw new IllegalStateException("stock service down");
                });
                return TaskGroupMono.join(group)
                        .then(Mono.just(ResponseEntity.ok("never")))
                        .onErrorResume(TaskGroupException.class, (ex) -> {
                            this.threads.record("continuation");
                            return Mono.just(ResponseEntity.status(HttpStatus.BAD_GATEWAY)
                                    .body(ex.failures().get(0).getMessage()));
                        });
            }

            @GetMapping("/deadline")
            @RequestTaskGroupOptions(timeout = "200ms")
            Mono<String> deadline(TaskGroup group) {
                forkSlow(group, "price");
                forkSlow(group, "stock");
                return TaskGroupMono.join(group)
                        .doOnError((ex) -> this.threads.record("continuation"))
                        .then(Mono.just("never"));
            }

            @GetMapping("/hangup")
            Mono<String> hangup(TaskGroup group) {
                forkSlow(group, "price");
                forkSlow(group, "stock");
                forkSlow(group, "reviews");
                return TaskGroupMono.join(group)
                        .doOnCancel(() -> this.threads.record("continuation"))
                        .then(Mono.just("never"));
            }

            @GetMapping("/optout")
            @RequestTaskGroupOptions(cancelOnDisconnect = false)
            Mono<String> optOut(TaskGroup group) {
                for (int i = 0; i < 2; i++) {
                    group.fork("gated-" + i, () -> {
                        this.threads.record("task");
                        return this.recorder.gated();
                    });
                }
                return TaskGroupMono.join(group)
                        .doOnCancel(() -> this.threads.names.add("cancelled-subscription"))
                        .then(Mono.just("done"));
            }
        }
    }
}
