package io.github.taskgroup.autoconfigure.web.status;

import static io.github.taskgroup.autoconfigure.web.status.StatusHttp.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.autoconfigure.web.RawHttp;
import io.github.taskgroup.autoconfigure.web.TaskRecorder;
import io.github.taskgroup.web.RequestTaskGroupRegistry;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** What the client of a request group gets on Tomcat and Jetty: 504, 503, Retry-After, its error style. */
@ExtendWith(OutputCaptureExtension.class)
class ServletStatusTests {

    static final String TOMCAT =
            "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration";

    static final String JETTY =
            "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration";

    private static final Map<String, ConfigurableApplicationContext> apps = new ConcurrentHashMap<>();

    static ConfigurableApplicationContext start(String server, boolean problem, String... more) {
        List<String> properties = new ArrayList<>(List.of(
                "server.port=0",
                "spring.autoconfigure.exclude=" + (server.equals("tomcat") ? JETTY : TOMCAT),
                "spring.main.web-application-type=servlet",
                "spring.mvc.async.request-timeout=30s",
                "spring.mvc.problemdetails.enabled=" + problem,
                "management.endpoints.web.exposure.include=taskgroups",
                "management.endpoint.taskgroups.access=unrestricted"));
        properties.addAll(List.of(ServletStatusApp.TIMEOUTS));
        properties.addAll(List.of(more));
        return new SpringApplicationBuilder(ServletStatusApp.class)
                .properties(properties.toArray(String[]::new))
                .run();
    }

    static ConfigurableApplicationContext app(String server, boolean problem) {
        return apps.computeIfAbsent(server + problem, (key) -> start(server, problem));
    }

    @AfterAll
    static void close() {
        apps.values().forEach(ConfigurableApplicationContext::close);
        apps.clear();
    }

    static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    static Stream<Arguments> stacks() {
        return Stream.of(
                Arguments.of("tomcat", false),
                Arguments.of("tomcat", true),
                Arguments.of("jetty", false),
                Arguments.of("jetty", true));
    }

    @ParameterizedTest(name = "{0}, problem details {1}")
    @MethodSource("stacks")
    void groupTimeoutIs504(String server, boolean problem, CapturedOutput output) throws Exception {
        ConfigurableApplicationContext context = app(server, problem);
        for (String route : List.of("/timeout", "/timeout-callable")) {
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> response = StatusHttp.get(port(context), route);
                StatusHttp.assertBody(response, problem, 504, "GET " + route, "timeout");
            }
            await().atMost(WAIT).until(() -> StatusHttp.warnLines(output, "GET " + route, "timeout", 504) == 3);
        }
        StatusHttp.assertNoErrorLogged(output);
    }

    @ParameterizedTest(name = "{0}, problem details {1}")
    @MethodSource("stacks")
    void aRefusedForkIs429WithRetryAfter(String server, boolean problem, CapturedOutput output) throws Exception {
        ConfigurableApplicationContext context = app(server, problem);
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

    @ParameterizedTest(name = "{0}, problem details {1}")
    @MethodSource("stacks")
    void endpointCancelIs503AndJoinThrows(String server, boolean problem, CapturedOutput output) throws Exception {
        ConfigurableApplicationContext context = app(server, problem);
        TaskRecorder recorder = context.getBean(TaskRecorder.class);
        RequestTaskGroupRegistry registry = context.getBean(RequestTaskGroupRegistry.class);
        ServletStatusApp.JoinOutcomes joins = context.getBean(ServletStatusApp.JoinOutcomes.class);
        for (String route : List.of("/work", "/work-callable", "/work-deferred")) {
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
                // join() throws: CancellationException, or InterruptedException where the library also
                // interrupts the thread that works for the request (a Callable's).
                if (!route.equals("/work-deferred")) { // no join() there
                    await().atMost(WAIT).until(() -> !joins.outcomes.isEmpty());
                    assertThat(joins.outcomes).singleElement().isIn("CancellationException", "InterruptedException");
                }
                if (route.equals("/work")) {
                    assertThat(joins.outcomes).containsExactly("CancellationException");
                }
                await().atMost(WAIT).until(() -> recorder.cancelled(group, CancellationReason.REQUEST_ABORTED) == 2);
            }
            await().atMost(WAIT).until(() -> StatusHttp.warnLines(output, group, "request-aborted", 503) == 5);
        }
        StatusHttp.assertNoErrorLogged(output);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tomcat", "jetty"})
    void appHandlersWinAndOwnCancelStaysQuiet(String server, CapturedOutput output) throws Exception {
        ConfigurableApplicationContext context = app(server, true);
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

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tomcat", "jetty"})
    void clientGoneIsNotLogged(String server, CapturedOutput output) throws Exception {
        ConfigurableApplicationContext context = app(server, false);
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

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tomcat", "jetty"})
    void includeMessageShowsTheLibrarysMessageOnly(String server) throws Exception {
        try (ConfigurableApplicationContext context = start(server, false, "spring.web.error.include-message=always")) {
            HttpResponse<String> response = StatusHttp.get(port(context), "/timeout");
            assertThat(response.statusCode()).isEqualTo(504);
            assertThat(response.body()).contains("\"message\":\"Task group 'GET /timeout' timed out\"");
            assertThat(response.body()).doesNotContain("timed out after");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tomcat", "jetty"})
    void shutdownIs503WithRetryAfter(String server, CapturedOutput output) throws Exception {
        ConfigurableApplicationContext context = start(
                server, false, "taskgroup.shutdown.await-termination-period=200ms", "taskgroup.web.retry-after=7s");
        TaskRecorder recorder = context.getBean(TaskRecorder.class);
        ServletStatusApp.JoinOutcomes joins = context.getBean(ServletStatusApp.JoinOutcomes.class);
        CompletableFuture<HttpResponse<String>> blocking = StatusHttp.getAsync(port(context), "/work?n=2");
        CompletableFuture<HttpResponse<String>> callable = StatusHttp.getAsync(port(context), "/work-callable?n=2");
        await().atMost(WAIT)
                .until(() -> recorder.running("GET /work") == 2 && recorder.running("GET /work-callable") == 2);
        CompletableFuture<Void> closed = CompletableFuture.runAsync(context::close);
        for (CompletableFuture<HttpResponse<String>> pending : List.of(blocking, callable)) {
            HttpResponse<String> response = pending.get();
            assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).hasValue("7");
            assertThat(response.body().replace(" ", ""))
                    .contains("\"status\":503")
                    .doesNotContain("\"message\"");
        }
        closed.get();
        assertThat(joins.outcomes)
                .hasSize(2)
                .allSatisfy((outcome) -> assertThat(outcome).isIn("CancellationException", "InterruptedException"));
        assertThat(StatusHttp.warnLines(output, "GET /work", "shutdown", 503)).isEqualTo(1);
        assertThat(StatusHttp.warnLines(output, "GET /work-callable", "shutdown", 503))
                .isEqualTo(1);
        StatusHttp.assertNoErrorLogged(output);
    }
}
