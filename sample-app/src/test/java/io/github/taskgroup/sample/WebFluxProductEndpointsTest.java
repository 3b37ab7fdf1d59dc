package io.github.taskgroup.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.sample.RecordingListener.TaskFinished;
import io.github.taskgroup.sample.reactive.ReactiveSampleApplication;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/**
 * The WebFlux variant's product endpoints over real HTTP (Reactor Netty), with the same checks as
 * {@link ProductEndpointsTest}: the handler forks the three blocking calls into its request group and returns
 * {@code TaskGroupMono.join(group)}. Latencies: price 200 ms, stock 400 ms, reviews 600 ms (sum 1,200 ms). No
 * bounded-elastic thread runs a task or closes a group, and the JVM never starts one.
 */
@SpringBootTest(
        classes = ReactiveSampleApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "sample.downstream.price.latency=200ms", "sample.downstream.stock.latency=400ms",
            "sample.downstream.reviews.latency=600ms", "taskgroup.groups.[GET\\ /api/products/{id}].timeout=2s",
            "taskgroup.groups.[GET\\ /api/products/{id}/lenient].timeout=2s"
        })
@ActiveProfiles(ReactiveSampleApplication.PROFILE)
@Import(WebFluxProductEndpointsTest.Listener.class)
class WebFluxProductEndpointsTest {

    static final Duration WAIT = Duration.ofSeconds(10);

    @TestConfiguration
    static class Listener {
        @Bean
        RecordingListener recordingListener() {
            return new RecordingListener();
        }
    }

    private static boolean warmedUp;

    @LocalServerPort
    int port;

    @Autowired
    RecordingListener listener;

    @Autowired
    TaskGroupFactory taskGroups;

    @Autowired
    ApplicationContext context;

    @BeforeEach
    void warmUpAndClear() {
        if (!warmedUp) {
            // The first request pays for class loading and JIT; timings are asserted on later ones.
            assertThat(Http.get(port, "/api/products/warm-up").status()).isEqualTo(200);
            warmedUp = true;
        }
        // On WebFlux the request group is closed as the response goes out: wait for the previous one.
        await().atMost(WAIT).until(() -> taskGroups.liveGroups().isEmpty());
        listener.clear();
    }

    @AfterEach
    void noBoundedElasticThread() {
        assertThat(listener.threads).noneMatch(name -> name.contains("boundedElastic"));
        // No bounded-elastic worker ever started in this JVM ("boundedElastic-evictor-1" is the scheduler's
        // housekeeping thread, started when something asks for the scheduler, not a worker).
        assertThat(Thread.getAllStackTraces().keySet())
                .extracting(Thread::getName)
                .noneMatch(name -> name.matches("boundedElastic-\\d+"));
    }

    @Test
    void itIsAReactiveApplicationOnReactorNetty() {
        assertThat(((WebServerApplicationContext) context)
                        .getWebServer()
                        .getClass()
                        .getSimpleName())
                .isEqualTo("NettyWebServer");
    }

    @RepeatedTest(3)
    void allSucceedAndTheGroupTakesAsLongAsTheSlowestCallNotTheSum() {
        Http.Response response = Http.get(port, "/api/products/42");

        assertThat(response.status()).isEqualTo(200);
        JsonNode page = response.json();
        assertThat(page.get("id").asString()).isEqualTo("42");
        assertThat(page.get("price").get("currency").asString()).isEqualTo("EUR");
        assertThat(page.get("stock").get("warehouse").asString()).isEqualTo("berlin-1");
        assertThat(page.get("reviews").get("rating").asDouble()).isBetween(3.0, 5.0);
        assertThat(page.get("missing")).isEmpty();

        await().atMost(WAIT).until(() -> listener.closed.size() == 1);
        assertThat(listener.closed).singleElement().satisfies(group -> {
            assertThat(group.name()).isEqualTo("GET /api/products/{id}");
            assertThat(group.outcome()).isEqualTo(TaskGroup.Outcome.SUCCEEDED);
        });
        assertThat(listener.finished)
                .extracting(TaskFinished::task)
                .containsExactlyInAnyOrder("price", "stock", "reviews");
        assertThat(listener.finished)
                .allSatisfy(task -> assertThat(task.state()).isEqualTo(Task.State.SUCCEEDED));
        long groupMs = listener.closed.get(0).durationMs();
        long slowestMs = listener.finished("reviews").runMs();
        long sumMs = listener.finished.stream().mapToLong(TaskFinished::runMs).sum();
        assertThat(slowestMs).isGreaterThanOrEqualTo(600);
        assertThat(sumMs).isGreaterThanOrEqualTo(1200);
        // Concurrent: the group lasts as long as its slowest call (plus overhead), well below the sum.
        assertThat(groupMs).isGreaterThanOrEqualTo(slowestMs).isLessThan(sumMs - 300);
        assertThat(page.get("elapsedMs").asLong()).isLessThan(sumMs - 300);
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void theBlockingCallsRunOnVirtualThreads() {
        assertThat(Http.get(port, "/api/products/7").status()).isEqualTo(200);
        assertThat(listener.virtualTaskThreads).hasSize(3).containsOnly(true);
    }

    @RepeatedTest(3)
    void oneFailsTheOthersAreCancelledAtOnceAndTheErrorNamesTheDependency() {
        Http.Response response = Http.get(port, "/api/products/42?fail=price");

        assertThat(response.status()).isEqualTo(502);
        JsonNode error = response.json();
        assertThat(error.get("error").asString()).isEqualTo("dependency-failed");
        assertThat(error.get("dependency").asString()).isEqualTo("price");
        assertThat(error.get("dependencyStatus").asInt()).isEqualTo(503);
        assertThat(error.get("tasks").get("price").asString()).isEqualTo("FAILED");
        assertThat(error.get("tasks").get("stock").asString()).isEqualTo("CANCELLED");
        assertThat(error.get("tasks").get("reviews").asString()).isEqualTo("CANCELLED");

        await().atMost(WAIT).until(() -> listener.closed.size() == 1);
        assertThat(listener.closed)
                .singleElement()
                .satisfies(group -> assertThat(group.outcome()).isEqualTo(TaskGroup.Outcome.FAILED));
        assertThat(listener.finished("price").state()).isEqualTo(Task.State.FAILED);
        for (String sibling : new String[] {"stock", "reviews"}) {
            TaskFinished task = listener.finished(sibling);
            assertThat(task.state()).isEqualTo(Task.State.CANCELLED);
            assertThat(task.reason()).isEqualTo(CancellationReason.SIBLING_FAILURE);
        }
        // Aborted, not awaited: the cancelled calls ended long before their services would have answered.
        assertThat(listener.finished("reviews").runMs()).isLessThan(550);
    }

    @Test
    void theGroupsDeadlineCancelsTheSlowCallsAndTheClientGets504() {
        Http.Response response = Http.get(port, "/api/products/42?latencyMs=10000");

        assertThat(response.status()).isEqualTo(504);
        JsonNode error = response.json();
        assertThat(error.get("error").asString()).isEqualTo("timeout");
        assertThat(error.get("group").asString()).isEqualTo("GET /api/products/{id}");
        assertThat(error.get("timeout").asString()).isEqualTo("PT2S");
        assertThat(error.get("tasks").get("reviews").asString()).isEqualTo("CANCELLED");
        await().atMost(WAIT).until(() -> listener.closed.size() == 1);
        assertThat(listener.closed)
                .singleElement()
                .satisfies(group -> assertThat(group.outcome()).isEqualTo(TaskGroup.Outcome.TIMEOUT));
        assertThat(listener.finished).hasSize(3).allSatisfy(task -> {
            assertThat(task.state()).isEqualTo(Task.State.CANCELLED);
            assertThat(task.reason()).isEqualTo(CancellationReason.TIMEOUT);
            assertThat(task.runMs()).isLessThan(5000);
        });
    }

    @Test
    void theLenientPageComesWithoutReviewsWhenReviewsFail() {
        Http.Response response = Http.get(port, "/api/products/42/lenient?fail=reviews");

        assertThat(response.status()).isEqualTo(200);
        JsonNode page = response.json();
        assertThat(page.get("price").get("amount").isNumber()).isTrue();
        assertThat(page.get("stock").get("available").isNumber()).isTrue();
        assertThat(page.get("reviews").isNull()).isTrue();
        assertThat(page.get("missing")).extracting(JsonNode::asString).containsExactly("reviews");
        assertThat(listener.finished("price").state()).isEqualTo(Task.State.SUCCEEDED);
        assertThat(listener.finished("stock").state()).isEqualTo(Task.State.SUCCEEDED);
        assertThat(listener.finished("reviews").state()).isEqualTo(Task.State.FAILED);
    }

    @Test
    void theLenientPageStillFailsWhenPriceOrStockFail() {
        Http.Response response = Http.get(port, "/api/products/42/lenient?fail=stock");

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.json().get("dependency").asString()).isEqualTo("stock");
        // Supervise: nothing was cancelled, the other calls ran to the end.
        await().atMost(WAIT).until(() -> listener.finished.size() == 3);
        assertThat(listener.finished("reviews").state()).isEqualTo(Task.State.SUCCEEDED);
    }

    @Test
    void anUnknownDependencyIsABadRequest() {
        Http.Response response = Http.get(port, "/api/products/42?fail=shipping");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("message").asString()).contains("shipping");
    }
}
