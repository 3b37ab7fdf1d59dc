package io.github.taskgroup.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.TestPropertySource;

/**
 * A client that hangs up on a slow product page: the request's group is cancelled with reason
 * {@code request-aborted}, and its three downstream calls are aborted long before their services answer. Run
 * once per web stack by the subclasses: {@link ClientHangsUpTest} (servlet MVC on Tomcat) and
 * {@link WebFluxClientHangsUpTest} (WebFlux on Reactor Netty, which cancels the handler's Mono, which cancels the
 * group). A subclass holds its stack's Spring Boot test configuration (the application, its profile,
 * {@code @Import(Listener.class)}).
 */
@TestPropertySource(properties = "taskgroup.groups.[GET\\ /api/products/{id}].timeout=30s")
abstract class ClientHangsUpContract {

    @TestConfiguration
    static class Listener {
        @Bean
        RecordingListener recordingListener() {
            return new RecordingListener();
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    RecordingListener listener;

    @Autowired
    TaskGroupFactory taskGroups;

    @Test
    void hangingUpCancelsTheThreeDownstreamCalls() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/products/hang-up?latencyMs=20000 HTTP/1.1\r\nHost: 127.0.0.1:" + port
                            + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await().atMost(Duration.ofSeconds(20)).until(() -> listener.started.size() == 3);
            assertThat(listener.finished).isEmpty();
        } // hang up

        await().atMost(Duration.ofSeconds(10)).until(() -> listener.closed.size() == 1);
        assertThat(listener.closed.get(0).name()).isEqualTo("GET /api/products/{id}");
        assertThat(listener.closed.get(0).outcome()).isEqualTo(TaskGroup.Outcome.CANCELLED);
        assertThat(listener.finished).hasSize(3).allSatisfy(task -> {
            assertThat(task.state()).isEqualTo(Task.State.CANCELLED);
            assertThat(task.reason()).isEqualTo(CancellationReason.REQUEST_ABORTED);
            assertThat(task.runMs()).isLessThan(10_000);
        });
        assertThat(taskGroups.liveGroups()).isEmpty();
    }
}
