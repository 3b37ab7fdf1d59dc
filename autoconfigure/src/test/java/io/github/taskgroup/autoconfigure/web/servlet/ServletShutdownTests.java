package io.github.taskgroup.autoconfigure.web.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.autoconfigure.web.RawHttp;
import io.github.taskgroup.autoconfigure.web.TaskRecorder;
import io.github.taskgroup.web.servlet.DisconnectProbeScheduler;
import io.github.taskgroup.web.servlet.SchedulerThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** Shutdown with requests of every style in flight: their groups are cancelled and the requests completed. */
class ServletShutdownTests {

    @Test
    void shutdownAbortsInFlightRequestGroups() throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ServletTestApp.class)
                .properties(
                        "server.port=0",
                        TomcatRequestTaskGroupTests.ONLY_TOMCAT,
                        "spring.main.web-application-type=servlet",
                        "spring.mvc.async.request-timeout=60s",
                        "taskgroup.shutdown.await-termination-period=300ms")
                .run();
        TaskRecorder recorder = context.getBean(TaskRecorder.class);
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        List<String> endpoints = List.of("blocking", "callable", "webasync", "deferred", "future");
        List<RawHttp> clients = new ArrayList<>();
        for (String endpoint : endpoints) {
            clients.add(new RawHttp(port).send(RawHttp.get("/" + endpoint + "?n=2")));
        }
        for (String endpoint : endpoints) {
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.running("GET /" + endpoint) == 2);
        }
        Thread probe = SchedulerThreads.of(context.getBean(DisconnectProbeScheduler.class));
        assertThat(probe).isNotNull();
        long start = System.nanoTime();
        CompletableFuture<Void> closed = CompletableFuture.runAsync(context::close);
        for (RawHttp client : clients) {
            // Every request is completed (503) instead of hanging until its 60s timeout.
            assertThat(client.read().status()).isEqualTo(503);
            client.close();
        }
        closed.get();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        for (String endpoint : endpoints) {
            assertThat(recorder.cancelled("GET /" + endpoint, CancellationReason.SHUTDOWN))
                    .as(endpoint)
                    .isEqualTo(2);
            assertThat(recorder.closed("GET /" + endpoint)).as(endpoint).isEqualTo(1);
        }
        assertThat(recorder.activeTaskThreads).isEmpty();
        probe.join(Duration.ofSeconds(5).toMillis());
        assertThat(probe.isAlive())
                .as("disconnect scheduler thread after close")
                .isFalse();
    }
}
