package io.github.taskgroup.autoconfigure.web.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.ReactorClientHttpRequestFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * A task waiting on a {@code RestClient} call over the JDK {@code HttpClient} is cancelled with its group: the
 * client reacts to the interrupt by itself, the task ends CANCELLED, and the downstream (Tomcat) sees the
 * disconnect and cancels its own request group with {@code request-aborted}.
 */
@SpringBootTest(
        classes = CancelMidCallWebIntegrationTests.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.autoconfigure.exclude="
                    + "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration",
            "spring.main.web-application-type=servlet"
        })
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CancelMidCallWebIntegrationTests {

    static final BlockingQueue<String> DOWNSTREAM = new LinkedBlockingQueue<>();

    static final BlockingQueue<String> ENTERED = new LinkedBlockingQueue<>();

    @LocalServerPort
    int port;

    @Autowired
    TaskGroupFactory factory;

    @Test
    void a_cancelled_task_waiting_on_the_jdk_http_client_ends_cancelled_and_the_downstream_sees_the_disconnect()
            throws Exception {
        RestClient client = RestClient.builder()
                .requestFactory(new JdkClientHttpRequestFactory(HttpClient.newHttpClient()))
                .build();
        cancelWhileWaiting(() -> client.get().uri(url()).retrieve().body(String.class));
    }

    @Test
    void a_cancelled_task_waiting_on_reactor_netty_ends_cancelled_and_the_downstream_sees_the_disconnect()
            throws Exception {
        RestClient client = RestClient.builder()
                .requestFactory(new ReactorClientHttpRequestFactory())
                .build();
        cancelWhileWaiting(() -> client.get().uri(url()).retrieve().body(String.class));
    }

    @Test
    void a_cancelled_task_blocked_on_a_web_client_ends_cancelled_and_the_downstream_sees_the_disconnect()
            throws Exception {
        WebClient client = WebClient.create();
        cancelWhileWaiting(() ->
                client.get().uri(url()).retrieve().bodyToMono(String.class).block());
    }

    private String url() {
        return "http://localhost:" + this.port + "/block";
    }

    private void cancelWhileWaiting(Callable<String> call) throws Exception {
        DOWNSTREAM.clear();
        ENTERED.clear();
        try (TaskGroup group = this.factory.open("upstream")) {
            Task<String> task = group.fork(call);
            assertThat(ENTERED.poll(30, TimeUnit.SECONDS)).isNotNull();
            long cancelled = System.nanoTime();
            group.cancel();
            await().atMost(Duration.ofSeconds(10)).until(() -> task.state() != Task.State.RUNNING);
            assertThat(task.state()).isEqualTo(Task.State.CANCELLED);
            assertThat(Duration.ofNanos(System.nanoTime() - cancelled)).isLessThan(Duration.ofSeconds(5));
        }
        assertThat(DOWNSTREAM.poll(30, TimeUnit.SECONDS)).isEqualTo(CancellationReason.REQUEST_ABORTED.value());
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @org.springframework.context.annotation.Bean
        Blocking blocking() {
            return new Blocking();
        }
    }

    @RestController
    static class Blocking {

        @GetMapping("/block")
        String block(TaskGroup group) throws Exception {
            group.fork(() -> {
                ENTERED.add("in");
                try {
                    new CountDownLatch(1).await();
                } finally {
                    DOWNSTREAM.add(group.cancellationReason()
                            .map(CancellationReason::value)
                            .orElse("none"));
                }
                return null;
            });
            group.join();
            return "done";
        }
    }
}
