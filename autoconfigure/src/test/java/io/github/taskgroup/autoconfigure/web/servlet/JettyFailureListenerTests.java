package io.github.taskgroup.autoconfigure.web.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.autoconfigure.web.RawHttp;
import io.github.taskgroup.autoconfigure.web.TaskRecorder;
import io.github.taskgroup.web.servlet.DisconnectProbeScheduler;
import jakarta.servlet.Filter;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee11.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.HttpChannel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * Jetty's failure listener, alone (no disconnect probe): a remote failure of the request's stream, what
 * Jetty reports for an HTTP/2 stream reset, aborts the request's group with reason {@code request-aborted}.
 * On HTTP/1.1 Jetty reports no failure for a closed connection (nor for a connection idle timeout during a
 * request, tried), so the failure is injected through Jetty's own {@code HttpChannel.onRemoteFailure}.
 */
@SpringBootTest(
        classes = ServletTestApp.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.autoconfigure.exclude="
                    + "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration",
            "spring.main.web-application-type=servlet",
            "spring.mvc.async.request-timeout=60s",
            "taskgroup.web.detection.strategy=none"
        })
@Import(JettyFailureListenerTests.CaptureJettyRequests.class)
class JettyFailureListenerTests {

    static final LinkedBlockingQueue<ServletContextRequest> requests = new LinkedBlockingQueue<>();

    @LocalServerPort
    int port;

    @Autowired
    TaskRecorder recorder;

    @Autowired
    DisconnectProbeScheduler scheduler;

    @TestConfiguration
    static class CaptureJettyRequests {

        @Bean
        Filter captureJettyRequests() {
            return (request, response, chain) -> {
                requests.add(ServletContextRequest.getServletContextRequest(request));
                chain.doFilter(request, response);
            };
        }
    }

    @ParameterizedTest
    @CsvSource({"blocking", "deferred"})
    void remoteStreamFailureAbortsTheRequestGroup(String endpoint) throws Exception {
        assertThat(this.scheduler.getProbe().name()).isEqualTo("none");
        requests.clear();
        this.recorder.reset();
        String group = "GET /" + endpoint;
        try (RawHttp client = new RawHttp(this.port)) {
            client.send(RawHttp.get("/" + endpoint + "?n=2"));
            ServletContextRequest request = requests.poll(10, TimeUnit.SECONDS);
            assertThat(request).isNotNull();
            await().atMost(Duration.ofSeconds(10)).until(() -> this.recorder.running(group) == 2);
            Runnable notify = HttpChannel.from(request).onRemoteFailure(new EofException("test: stream reset"));
            if (notify != null) {
                notify.run();
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(this.recorder.cancelled(group, CancellationReason.REQUEST_ABORTED))
                        .isEqualTo(2);
                assertThat(this.recorder.closed(group)).isEqualTo(1);
            });
            readQuietly(client);
        }
        assertThat(this.recorder.succeeded(group)).isZero();
        assertThat(this.recorder.activeTaskThreads).isEmpty();
    }

    private static void readQuietly(RawHttp client) {
        try {
            client.read();
        } catch (IOException | RuntimeException ex) {
            // the failed stream may or may not get a response
        }
    }
}
