package io.github.taskgroup.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The legacy route's task ignores its interrupt: after the group's 500 ms timeout and the straggler threshold it
 * shows as a straggler in the log (one WARN line with its stack), the taskgroups endpoint, the Prometheus meters
 * the dashboard reads, and a JFR recording made with the shipped settings; the client gets 504 once it ends.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "taskgroup.straggler-threshold=100ms")
@AutoConfigureMetrics
@ExtendWith(OutputCaptureExtension.class)
class StragglerRouteTest {

    static final String ROUTE = "GET /api/products/{id}/legacy";

    @LocalServerPort
    int port;

    @Test
    void theLegacyTaskShowsAsAStragglerInTheLogTheEndpointTheMetersAndJfr(CapturedOutput output, @TempDir Path dir)
            throws Exception {
        try (Recording recording = new Recording(shippedSettings())) {
            recording.start();
            CompletableFuture<Http.Response> request =
                    CompletableFuture.supplyAsync(() -> Http.get(port, "/api/products/7/legacy?holdMs=4000"));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Http.get(port, "/actuator/taskgroups").body().contains("\"straggler\":true"));
            String groups = Http.get(port, "/actuator/taskgroups").body();
            assertThat(groups).contains("\"name\":\"legacy\"").contains("\"sinceCancelled\":\"PT");
            String scrape = Http.get(port, "/actuator/prometheus").body();
            assertThat(scrape)
                    .contains("taskgroup_tasks_stragglers_tasks{group=\"" + ROUTE + "\"} 1.0")
                    .contains("taskgroup_tasks_stragglers_seen_tasks_total{group=\"" + ROUTE + "\"} 1.0");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> output.getOut().contains("Task 'legacy' of group '" + ROUTE + "'"));
            assertThat(output.getOut().lines().filter((line) -> line.contains("Task 'legacy' of group")))
                    .singleElement()
                    .asString()
                    .contains("WARN")
                    .contains("ms after it was cancelled (timeout): it ignores its interrupt");
            // the stack follows the line: the frame of the loop that swallows the interrupt
            assertThat(output.getOut()).contains("ProductController.ignoreInterrupts");

            assertThat(request.get(20, TimeUnit.SECONDS).status()).isEqualTo(504);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Http.get(port, "/actuator/prometheus")
                            .body()
                            .contains("taskgroup_tasks_stragglers_tasks{group=\"" + ROUTE + "\"} 0.0"));

            recording.stop();
            Path file = dir.resolve("straggler.jfr");
            recording.dump(file);
            List<RecordedEvent> stragglers = RecordingFile.readAllEvents(file).stream()
                    .filter((event) -> event.getEventType().getName().equals("io.github.taskgroup.TaskStraggler"))
                    .toList();
            assertThat(stragglers).singleElement().satisfies((event) -> {
                assertThat(event.getString("groupName")).isEqualTo(ROUTE);
                assertThat(event.getString("taskName")).isEqualTo("legacy");
                assertThat(event.getString("cancellationReason")).isEqualTo("timeout");
                assertThat(event.getString("taskStack")).contains("ignoreInterrupts");
            });
            assertThat(Files.size(file)).isPositive();
        }
    }

    /** The settings file that ships inside taskgroup-core, as a user passes it to -XX:StartFlightRecording. */
    private static Configuration shippedSettings() throws Exception {
        try (Reader settings = new InputStreamReader(
                StragglerRouteTest.class.getClassLoader().getResourceAsStream("META-INF/taskgroup.jfc"),
                StandardCharsets.UTF_8)) {
            return Configuration.create(settings);
        }
    }
}
