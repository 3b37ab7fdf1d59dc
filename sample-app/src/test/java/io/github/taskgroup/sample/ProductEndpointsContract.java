package io.github.taskgroup.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.sample.RecordingListener.TaskFinished;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The product endpoints over real HTTP, with the downstream services of the same application called over
 * loopback, run once per web stack by the subclasses: {@link ProductEndpointsTest} (servlet MVC on Tomcat) and
 * {@link WebFluxProductEndpointsTest} (WebFlux on Reactor Netty, whose handler forks the same three blocking calls
 * into its request group and returns {@code TaskGroupMono.join(group)}). Latencies: price 200 ms, stock 400 ms,
 * reviews 600 ms (sum 1,200 ms); both routes have a 2 s deadline. A subclass holds its stack's Spring Boot test
 * configuration (the application, its profile, {@code @Import(Listener.class)}) and says when the request's group
 * has told the listener how it ended.
 */
@TestPropertySource(
        properties = {
            "sample.downstream.price.latency=200ms", "sample.downstream.stock.latency=400ms",
            "sample.downstream.reviews.latency=600ms", "taskgroup.groups.[GET\\ /api/products/{id}].timeout=2s",
            "taskgroup.groups.[GET\\ /api/products/{id}/lenient].timeout=2s"
        })
abstract class ProductEndpointsContract {

    @TestConfiguration
    static class Listener {
        @Bean
        RecordingListener recordingListener() {
            return new RecordingListener();
        }
    }

    /** The stacks (test classes) that had their warm-up request. */
    private static final Set<Class<?>> warmedUp = ConcurrentHashMap.newKeySet();

    @LocalServerPort
    int port;

    @Autowired
    RecordingListener listener;

    /**
     * Waits until the request group of the previous test has closed and told the listener, so that clearing the
     * listener forgets all of that group.
     */
    abstract void awaitPreviousRequestGroupClosed();

    /**
     * Once a response arrived: waits until {@code condition}, on what the request's group told the listener,
     * holds, on a stack that closes the group as the response goes out (nothing to wait for on a stack that
     * closes it before).
     */
    abstract void awaitAfterResponse(Callable<Boolean> condition);

    @BeforeEach
    void warmUpAndClear() {
        if (warmedUp.add(getClass())) {
            // The first request pays for class loading and JIT; timings are asserted on later ones.
            assertThat(Http.get(port, "/api/products/warm-up").status()).isEqualTo(200);
        }
        awaitPreviousRequestGroupClosed();
        listener.clear();
    }

    @Test
    void allSucceedAndTheGroupTakesAsLongAsTheSlowestCallNotTheSum() {
        Http.Response response = Http.get(port, "/api/products/42");

        assertThat(response.status()).isEqualTo(200);
        JsonNode page = response.json();
        assertThat(page.get("id").asString()).isEqualTo("42");
        assertThat(page.get("price").get("currency").asString()).isEqualTo("EUR");
        assertThat(page.get("stock").get("warehouse").asString()).isEqualTo("berlin-1");
        assertThat(page.get("reviews").get("rating").asDouble()).isBetween(3.0, 5.0);
        assertThat(page.get("missing")).isEmpty();

        awaitAfterResponse(() -> listener.closed.size() == 1);
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

        awaitAfterResponse(() -> listener.closed.size() == 1);
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
        awaitAfterResponse(() -> listener.closed.size() == 1);
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
        awaitAfterResponse(() -> listener.finished.size() == 3);
        assertThat(listener.finished("reviews").state()).isEqualTo(Task.State.SUCCEEDED);
    }

    @Test
    void anUnknownDependencyIsABadRequest() {
        Http.Response response = Http.get(port, "/api/products/42?fail=shipping");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("message").asString()).contains("shipping");
    }
}
