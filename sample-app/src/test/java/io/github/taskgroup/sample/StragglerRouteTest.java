package io.github.taskgroup.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The legacy route's task ignores its interrupt: after the group's 500 ms timeout and the straggler threshold it
 * shows as a straggler in the taskgroups endpoint and the Prometheus meters, and the client gets 504 once it ends.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "taskgroup.straggler-threshold=100ms")
@AutoConfigureMetrics
class StragglerRouteTest {

    @LocalServerPort
    int port;

    @Test
    void theLegacyTaskShowsAsAStragglerInTheEndpointAndTheMeters() throws Exception {
        CompletableFuture<Http.Response> request =
                CompletableFuture.supplyAsync(() -> Http.get(port, "/api/products/7/legacy?holdMs=4000"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Http.get(port, "/actuator/taskgroups").body().contains("\"straggler\":true"));
        String groups = Http.get(port, "/actuator/taskgroups").body();
        assertThat(groups).contains("\"name\":\"legacy\"").contains("\"sinceCancelled\":\"PT");
        String scrape = Http.get(port, "/actuator/prometheus").body();
        assertThat(scrape)
                .contains("taskgroup_tasks_stragglers_tasks{group=\"GET /api/products/{id}/legacy\"} 1.0")
                .contains("taskgroup_tasks_stragglers_seen_tasks_total{group=\"GET /api/products/{id}/legacy\"} 1.0");
        assertThat(request.get(20, TimeUnit.SECONDS).status()).isEqualTo(504);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Http.get(port, "/actuator/prometheus")
                        .body()
                        .contains("taskgroup_tasks_stragglers_tasks{group=\"GET /api/products/{id}/legacy\"} 0.0"));
    }
}
