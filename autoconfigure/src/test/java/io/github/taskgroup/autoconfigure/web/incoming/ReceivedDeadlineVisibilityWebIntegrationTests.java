package io.github.taskgroup.autoconfigure.web.incoming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.jayway.jsonpath.JsonPath;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupSnapshot;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The received deadline is visible where the request's group is: its own observation (span), the
 * {@code taskgroups} endpoint and {@code liveGroups()}; a real Tomcat, a real client, Spring Boot's
 * {@code ObservationRegistry}.
 */
@SpringBootTest(
        classes = ReceivedDeadlineVisibilityWebIntegrationTests.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.autoconfigure.exclude="
                    + "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration",
            "spring.main.web-application-type=servlet",
            "taskgroup.default-timeout=60s",
            "management.endpoints.web.exposure.include=taskgroups"
        })
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ReceivedDeadlineVisibilityWebIntegrationTests {

    private static final String MS = "taskgroup.received-timeout-ms";

    private static final String OUTCOME = "taskgroup.received-timeout-outcome";

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    StoppedObservations observations;

    @Autowired
    Parking parking;

    @Autowired
    TaskGroupFactory factory;

    @AfterEach
    void release() {
        this.parking.release.countDown();
    }

    @Test
    void the_request_groups_span_carries_the_received_timeout_and_what_became_of_it() throws Exception {
        assertThat(get("/quick", "20001").statusCode()).isEqualTo(200);
        assertThat(get("/quick", "3600001").statusCode()).isEqualTo(200);
        assertThat(get("/quick", null).statusCode()).isEqualTo(200);

        Observation.Context adopted = awaitGroupObservation("20001");
        assertThat(adopted.getHighCardinalityKeyValue(OUTCOME)).isEqualTo(KeyValue.of(OUTCOME, "adopted"));
        assertThat(adopted.getLowCardinalityKeyValue(MS)).isNull(); // a span attribute, never a meter tag
        // The same value as on the request's own span, its parent.
        Observation.ContextView request = adopted.getParentObservation().getContextView();
        assertThat(request.getName()).isEqualTo("http.server.requests");
        assertThat(request.getHighCardinalityKeyValue(MS)).isEqualTo(KeyValue.of(MS, "20001"));

        Observation.Context later = awaitGroupObservation("3600001");
        assertThat(later.getHighCardinalityKeyValue(OUTCOME)).isEqualTo(KeyValue.of(OUTCOME, "ignored-later"));

        // Without the header, the group's span has neither key.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> groupObservations().stream()
                        .anyMatch((context) -> context.getHighCardinalityKeyValue(MS) == null));
    }

    @Test
    void the_taskgroups_endpoint_and_live_groups_show_the_received_timeout_of_a_running_request() throws Exception {
        CompletableFuture<HttpResponse<String>> parked =
                this.http.sendAsync(request("/park", "30002").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(this.parking.parked.await(30, TimeUnit.SECONDS)).isTrue();

        HttpResponse<String> tree =
                this.http.send(request("/actuator/taskgroups", null).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(tree.statusCode()).isEqualTo(200);
        List<Map<String, Object>> groups =
                JsonPath.read(tree.body(), "$.groups[?(@.attributes['" + MS + "'] == '30002')]");
        assertThat(groups).singleElement().satisfies((group) -> {
            assertThat(group.get("attributes")).isEqualTo(Map.of(MS, "30002", OUTCOME, "adopted"));
            Instant deadline = Instant.parse((String) group.get("deadline"));
            Instant openedAt = Instant.parse((String) group.get("openedAt"));
            assertThat(Duration.between(openedAt, deadline))
                    .isPositive()
                    .isLessThanOrEqualTo(Duration.ofMillis(30002 - 5));
        });
        // A group without attributes has no such field (the endpoint leaves empty values out).
        assertThat(JsonPath.<List<Object>>read(tree.body(), "$.groups[?(!@.attributes)]"))
                .isEmpty();

        TaskGroupSnapshot snapshot = this.factory.liveGroups().stream()
                .filter((group) -> "30002".equals(group.attributes().get(MS)))
                .findFirst()
                .orElseThrow();
        assertThat(snapshot.attributes()).containsExactly(Map.entry(MS, "30002"), Map.entry(OUTCOME, "adopted"));
        assertThat(this.factory.dump(TaskGroupFactory.DumpFormat.TEXT, false))
                .contains(", " + MS + "=30002, " + OUTCOME + "=adopted, ");

        this.parking.release.countDown();
        assertThat(parked.get(30, TimeUnit.SECONDS).body()).isEqualTo("released");
    }

    private Observation.Context awaitGroupObservation(String received) {
        return await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> groupObservations().stream()
                                .filter((context) ->
                                        KeyValue.of(MS, received).equals(context.getHighCardinalityKeyValue(MS)))
                                .findFirst()
                                .orElse(null),
                        (context) -> context != null);
    }

    private List<Observation.Context> groupObservations() {
        return this.observations.contexts.stream()
                .filter((context) -> "taskgroup.group".equals(context.getName()))
                .toList();
    }

    private HttpResponse<String> get(String path, @Nullable String timeout) throws Exception {
        return this.http.send(request(path, timeout).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path, @Nullable String timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
                .timeout(Duration.ofSeconds(30));
        if (timeout != null) {
            request.header("X-Request-Timeout-Ms", timeout);
        }
        return request;
    }

    /** Records the context of every stopped observation (Boot adds every handler bean to its registry). */
    static class StoppedObservations implements ObservationHandler<Observation.Context> {

        final Queue<Observation.Context> contexts = new ConcurrentLinkedQueue<>();

        @Override
        public void onStop(Observation.Context context) {
            this.contexts.add(context);
        }

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }
    }

    static class Parking {

        final CountDownLatch parked = new CountDownLatch(1);

        final CountDownLatch release = new CountDownLatch(1);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean
        StoppedObservations stoppedObservations() {
            return new StoppedObservations();
        }

        @Bean
        Parking parking() {
            return new Parking();
        }

        @RestController
        static class Handlers {

            private final Parking parking;

            Handlers(Parking parking) {
                this.parking = parking;
            }

            @GetMapping("/quick")
            String quick(TaskGroup group) throws Exception {
                group.fork("work", () -> 1);
                group.join();
                return "done";
            }

            @GetMapping("/park")
            String park(TaskGroup group) throws Exception {
                group.fork("parked", () -> {
                    this.parking.parked.countDown();
                    return this.parking.release.await(30, TimeUnit.SECONDS);
                });
                group.join();
                return "released";
            }
        }
    }
}
