package io.github.taskgroup.autoconfigure.web.status;

import static io.github.taskgroup.autoconfigure.web.status.StatusHttp.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupTimeoutException;
import io.github.taskgroup.autoconfigure.web.RawHttp;
import io.github.taskgroup.autoconfigure.web.TaskRecorder;
import io.github.taskgroup.web.RequestTaskGroupRegistry;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** What the client of a request group gets on WebFlux (Reactor Netty): 504, 503, Retry-After, its error style. */
// By name: the tests that start and close a server of their own (includeMessage..., shutdown...) come after
// those that share the cached servers, which closing a Reactor Netty server can take down with it.
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.MethodName.class)
@ExtendWith(OutputCaptureExtension.class)
class WebFluxStatusTests {

    private static final Map<Boolean, ConfigurableApplicationContext> apps = new ConcurrentHashMap<>();

    static ConfigurableApplicationContext start(boolean problem, String... more) {
        List<String> properties = new ArrayList<>(List.of(
                "server.port=0",
                "spring.main.web-application-type=reactive",
                "spring.autoconfigure.exclude=org.springframework.boot.tomcat.autoconfigure.reactive."
                        + "TomcatReactiveWebServerAutoConfiguration,org.springframework.boot.jetty.autoconfigure."
                        + "reactive.JettyReactiveWebServerAutoConfiguration",
                "spring.webflux.problemdetails.enabled=" + problem,
                "management.endpoints.web.exposure.include=taskgroups",
                "management.endpoint.taskgroups.access=unrestricted",
                "taskgroup.groups.[GET /timeout].timeout=200ms",
                "taskgroup.groups.[GET /timeout-future].timeout=200ms",
                "taskgroup.groups.[GET /own-timeout].timeout=200ms",
                "taskgroup.groups.[GET /advised-timeout].timeout=200ms"));
        properties.addAll(List.of(more));
        return new SpringApplicationBuilder(App.class)
                .properties(properties.toArray(String[]::new))
                .run();
    }

    static ConfigurableApplicationContext app(boolean problem) {
        return apps.computeIfAbsent(problem, (key) -> start(problem));
    }

    @AfterAll
    static void close() {
        apps.values().forEach(ConfigurableApplicationContext::close);
        apps.clear();
    }

    static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    @ParameterizedTest(name = "problem details {0}")
    @ValueSource(booleans = {false, true})
    void aRefusedForkIs429WithRetryAfter(boolean problem, CapturedOutput output) throws Exception {
        ConfigurableApplicationContext context = app(problem);
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = StatusHttp.get(port(context), "/saturated");
            StatusHttp.assertBody(response, problem, 429, "saturated", "queue-full");
            assertThat(response.headers().firstValue("Retry-After")).hasValue("5"); // taskgroup.web.retry-after
        }
        await().atMost(WAIT)
                .until(() -> StatusHttp.countMatches(
                                output,
                                "WARN .*Request group 'saturated' \\(route GET /saturated\\) refused a fork: "
                                        + "queue-full; answered 429")
                        == 3);
        StatusHttp.assertNoErrorLogged(output);
    }

    @ParameterizedTest(name = "problem details {0}")
    @ValueSource(booleans = {false, true})
    void groupTimeoutIs504(boolean problem, CapturedOutput output) throws Exception {
        ConfigurableApplicationContext context = app(problem);
        for (String route : List.of("/timeout", "/timeout-future")) {
            for (int i = 0; i < 3; i++) {
                StatusHttp.assertBody(StatusHttp.get(port(context), route), problem, 504, "GET " + route, "timeout");
            }
            await().atMost(WAIT).until(() -> StatusHttp.warnLines(output, "GET " + route, "timeout", 504) == 3);
        }
        StatusHttp.assertNoErrorLogged(output);
    }

    @ParameterizedTest(name = "problem details {0}")
    @ValueSource(booleans = {false, true})
    void endpointCancelIs503AndJoinThrows(boolean problem, CapturedOutput output) throws Exception {
        ConfigurableApplicationContext context = app(problem);
        TaskRecorder recorder = context.getBean(TaskRecorder.class);
        RequestTaskGroupRegistry registry = context.getBean(RequestTaskGroupRegistry.class);
        ServletStatusApp.JoinOutcomes joins = context.getBean(ServletStatusApp.JoinOutcomes.class);
        for (String route : List.of("/work", "/work-future")) {
            String group = "GET " + route;
            for (int i = 0; i < 5; i++) {
                await().atMost(WAIT).until(() -> registry.size() == 0 && recorder.activeTaskThreads.isEmpty());
                recorder.reset();
                joins.outcomes.clear();
                CompletableFuture<HttpResponse<String>> pending = StatusHttp.getAsync(port(context), route + "?n=2");
                await().atMost(WAIT).until(() -> recorder.running(group) == 2);
                HttpResponse<String> cancel =
                        StatusHttp.delete(port(context), "/actuator/taskgroups/" + StatusHttp.groupId(registry, group));
                assertThat(cancel.body().replace(" ", "")).contains("\"cancelled\":true");
                StatusHttp.assertBody(pending.get(), problem, 503, group, "request-aborted");
                assertThat(joins.outcomes).containsExactly("CancellationException");
                await().atMost(WAIT).until(() -> recorder.cancelled(group, CancellationReason.REQUEST_ABORTED) == 2);
            }
            await().atMost(WAIT).until(() -> StatusHttp.warnLines(output, group, "request-aborted", 503) == 5);
        }
        StatusHttp.assertNoErrorLogged(output);
    }

    @Test
    void appHandlersWinAndOwnCancelStaysQuiet(CapturedOutput output) throws Exception {
        ConfigurableApplicationContext context = app(true);
        HttpResponse<String> own = StatusHttp.get(port(context), "/own-timeout");
        assertThat(own.statusCode()).isEqualTo(418);
        assertThat(own.body()).isEqualTo("mine");
        HttpResponse<String> advised = StatusHttp.get(port(context), "/advised-timeout");
        assertThat(advised.statusCode()).isEqualTo(418);
        assertThat(advised.body()).isEqualTo("advice");
        ServletStatusApp.JoinOutcomes joins = context.getBean(ServletStatusApp.JoinOutcomes.class);
        joins.outcomes.clear();
        HttpResponse<String> quiet = StatusHttp.get(port(context), "/own-cancel");
        assertThat(quiet.statusCode()).isEqualTo(200);
        assertThat(quiet.body()).isEqualTo("quiet");
        assertThat(joins.outcomes).containsExactly("returned");
        assertThat(output.getAll()).doesNotContain("Request group 'GET /own-");
    }

    @Test
    void clientGoneIsNotLogged(CapturedOutput output) throws Exception {
        ConfigurableApplicationContext context = app(false);
        TaskRecorder recorder = context.getBean(TaskRecorder.class);
        RequestTaskGroupRegistry registry = context.getBean(RequestTaskGroupRegistry.class);
        await().atMost(WAIT).until(() -> registry.size() == 0 && recorder.activeTaskThreads.isEmpty());
        recorder.reset();
        RawHttp client = new RawHttp(port(context)).send(RawHttp.get("/work?n=2"));
        await().atMost(WAIT).until(() -> recorder.running("GET /work") == 2);
        client.closeWithRst();
        await().atMost(WAIT)
                .until(() -> recorder.cancelled("GET /work", CancellationReason.REQUEST_ABORTED) == 2
                        && registry.size() == 0);
        assertThat(output.getAll()).doesNotContain("Request group 'GET /work'");
        StatusHttp.assertNoErrorLogged(output);
    }

    @Test
    void includeMessageShowsTheLibrarysMessageOnly() throws Exception {
        try (ConfigurableApplicationContext context = start(false, "spring.web.error.include-message=always")) {
            HttpResponse<String> response = StatusHttp.get(port(context), "/timeout");
            assertThat(response.statusCode()).isEqualTo(504);
            assertThat(response.body()).contains("\"message\":\"Task group 'GET /timeout' timed out\"");
            assertThat(response.body()).doesNotContain("timed out after");
        }
    }

    @Test
    void shutdownIs503WithRetryAfter(CapturedOutput output) throws Exception {
        ConfigurableApplicationContext context =
                start(false, "taskgroup.shutdown.await-termination-period=200ms", "taskgroup.web.retry-after=7s");
        TaskRecorder recorder = context.getBean(TaskRecorder.class);
        CompletableFuture<HttpResponse<String>> mono = StatusHttp.getAsync(port(context), "/work?n=2");
        CompletableFuture<HttpResponse<String>> future = StatusHttp.getAsync(port(context), "/work-future?n=2");
        await().atMost(WAIT)
                .until(() -> recorder.running("GET /work") == 2 && recorder.running("GET /work-future") == 2);
        CompletableFuture<Void> closed = CompletableFuture.runAsync(context::close);
        for (CompletableFuture<HttpResponse<String>> pending : List.of(mono, future)) {
            HttpResponse<String> response = pending.get();
            assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).hasValue("7");
            assertThat(response.body().replace(" ", ""))
                    .contains("\"status\":503")
                    .doesNotContain("\"message\"");
        }
        closed.get();
        assertThat(StatusHttp.warnLines(output, "GET /work", "shutdown", 503)).isEqualTo(1);
        assertThat(StatusHttp.warnLines(output, "GET /work-future", "shutdown", 503))
                .isEqualTo(1);
        StatusHttp.assertNoErrorLogged(output);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        /**
         * Loops of this application's own: with Reactor Netty's global resources (Boot's default), closing
         * one of the test applications disposes the loops of the others that are still serving.
         */
        @Bean
        ReactorResourceFactory reactorResourceFactory() {
            ReactorResourceFactory factory = new ReactorResourceFactory();
            factory.setUseGlobalResources(false);
            return factory;
        }

        @Bean
        TaskRecorder taskRecorder() {
            return new TaskRecorder();
        }

        @Bean
        ServletStatusApp.JoinOutcomes joinOutcomes() {
            return new ServletStatusApp.JoinOutcomes();
        }

        @RestController
        static class WorkController {

            private final TaskRecorder recorder;

            private final ServletStatusApp.JoinOutcomes joins;

            private final io.github.taskgroup.TaskGroupFactory factory;

            WorkController(
                    TaskRecorder recorder,
                    ServletStatusApp.JoinOutcomes joins,
                    io.github.taskgroup.TaskGroupFactory factory) {
                this.recorder = recorder;
                this.joins = joins;
                this.factory = factory;
            }

            /** Forks more than a nested group admits: the TaskRejectedException ends the Mono. */
            @GetMapping("/saturated")
            Mono<String> saturated() {
                return Mono.fromCallable(() -> {
                            ServletStatusApp.saturate(this.factory, this.recorder);
                            return "never";
                        })
                        .subscribeOn(Schedulers.boundedElastic());
            }

            private Mono<String> joined(TaskGroup group, String result) {
                return Mono.fromCallable(() -> {
                            this.joins.join(group);
                            return result;
                        })
                        .subscribeOn(Schedulers.boundedElastic());
            }

            @GetMapping("/work")
            Mono<String> work(TaskGroup group, @RequestParam int n) {
                ServletStatusApp.forkSlow(group, n, this.recorder);
                return joined(group, "done");
            }

            @GetMapping("/work-future")
            CompletableFuture<String> workFuture(TaskGroup group, @RequestParam int n) {
                ServletStatusApp.forkSlow(group, n, this.recorder);
                return CompletableFuture.supplyAsync(() -> {
                    try {
                        this.joins.join(group);
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(ex);
                    }
                    return "done";
                });
            }

            @GetMapping("/timeout")
            Mono<String> timeout(TaskGroup group) {
                ServletStatusApp.forkSlow(group, 1, this.recorder);
                return joined(group, "done");
            }

            @GetMapping("/timeout-future")
            CompletableFuture<String> timeoutFuture(TaskGroup group) {
                ServletStatusApp.forkSlow(group, 1, this.recorder);
                return CompletableFuture.supplyAsync(() -> {
                    try {
                        group.join();
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(ex);
                    }
                    return "done";
                });
            }

            @GetMapping("/own-cancel")
            Mono<String> ownCancel(TaskGroup group) {
                ServletStatusApp.forkSlow(group, 2, this.recorder);
                group.cancel();
                return joined(group, "quiet");
            }
        }

        @RestController
        static class OwnHandlerController {

            private final TaskRecorder recorder;

            OwnHandlerController(TaskRecorder recorder) {
                this.recorder = recorder;
            }

            @GetMapping("/own-timeout")
            Mono<String> ownTimeout(TaskGroup group) {
                ServletStatusApp.forkSlow(group, 1, this.recorder);
                return Mono.fromCallable(() -> {
                            group.join();
                            return "done";
                        })
                        .subscribeOn(Schedulers.boundedElastic());
            }

            @ExceptionHandler(TaskGroupTimeoutException.class)
            ResponseEntity<String> timedOut(TaskGroupTimeoutException ex) {
                return ResponseEntity.status(HttpStatus.I_AM_A_TEAPOT).body("mine");
            }
        }

        /** A controller whose timeouts the application's {@code @RestControllerAdvice} handles. */
        @RestController
        static class AdvisedController {

            private final TaskRecorder recorder;

            AdvisedController(TaskRecorder recorder) {
                this.recorder = recorder;
            }

            @GetMapping("/advised-timeout")
            Mono<String> advisedTimeout(TaskGroup group) {
                ServletStatusApp.forkSlow(group, 1, this.recorder);
                return Mono.fromCallable(() -> {
                            group.join();
                            return "done";
                        })
                        .subscribeOn(Schedulers.boundedElastic());
            }
        }

        @RestControllerAdvice(assignableTypes = AdvisedController.class)
        static class TimeoutAdvice {

            @ExceptionHandler(TaskGroupTimeoutException.class)
            ResponseEntity<String> timedOut(TaskGroupTimeoutException ex) {
                return ResponseEntity.status(HttpStatus.I_AM_A_TEAPOT).body("advice");
            }
        }
    }
}
