package io.github.taskgroup.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.CancellationReason;
import java.time.Duration;

/** Scenarios that every web stack must pass the same way (servlet containers and WebFlux). */
public final class RequestGroupScenarios {

    private RequestGroupScenarios() {}

    /**
     * {@code GET /leftover?n=3} answers "left" while its three tasks still run: completing the request
     * cancels them (reason {@code explicit}) and closes the group; no task thread is left.
     *
     * @param client a connection to the server (closed here)
     * @param recorder the application's recorder
     */
    public static void leftoverTasksAreCancelledAtCompletion(RawHttp client, TaskRecorder recorder) throws Exception {
        try (client) {
            client.send(RawHttp.get("/leftover?n=3"));
            assertThat(client.read()).isEqualTo(new RawHttp.Response(200, "left"));
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(recorder.cancelled("GET /leftover", CancellationReason.EXPLICIT))
                    .isEqualTo(3);
            assertThat(recorder.closed("GET /leftover")).isEqualTo(1);
            assertThat(recorder.activeTaskThreads).isEmpty();
        });
    }
}
