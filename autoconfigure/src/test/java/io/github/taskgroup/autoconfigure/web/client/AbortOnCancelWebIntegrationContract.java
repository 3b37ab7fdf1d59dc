package io.github.taskgroup.autoconfigure.web.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/**
 * A task blocked in a {@code RestClient} or {@code RestTemplate} call made with Spring Boot's builders, on a client
 * that does not stop a call on an interrupt by itself, is aborted when its group is cancelled: the task ends
 * CANCELLED (an echo, not a failure), at once, and the downstream (Tomcat) sees the connection close and cancels
 * its own request group with {@code request-aborted}. Each subclass picks the client with
 * {@code spring.http.clients.imperative.factory}.
 */
abstract class AbortOnCancelWebIntegrationContract {

    static final BlockingQueue<String> DOWNSTREAM = new LinkedBlockingQueue<>();

    static final BlockingQueue<String> ENTERED = new LinkedBlockingQueue<>();

    @LocalServerPort
    int port;

    @Autowired
    TaskGroupFactory factory;

    @Autowired
    RestClient.Builder restClientBuilder;

    @Autowired
    RestTemplateBuilder restTemplateBuilder;

    @Autowired
    ClientHttpRequestFactoryBuilder<?> requestFactoryBuilder;

    /** @return the type of request factory Spring Boot's builder must have picked */
    abstract Class<? extends ClientHttpRequestFactory> expectedRequestFactory();

    @Test
    void spring_boots_builder_makes_the_request_factory_of_the_client_under_test() {
        assertThat(this.requestFactoryBuilder.build()).isInstanceOf(expectedRequestFactory());
    }

    @Test
    void a_cancelled_task_waiting_on_a_rest_client_call_ends_cancelled_and_the_downstream_sees_the_disconnect()
            throws Exception {
        RestClient client = this.restClientBuilder.build();
        cancelWhileWaiting(() -> client.get().uri(url()).retrieve().body(String.class));
    }

    @Test
    void a_cancelled_task_waiting_on_a_rest_template_call_ends_cancelled_and_the_downstream_sees_the_disconnect()
            throws Exception {
        RestTemplate template = this.restTemplateBuilder.build();
        cancelWhileWaiting(() -> template.getForObject(url(), String.class));
    }

    @Test
    void a_task_cancelled_on_its_own_has_its_call_aborted_while_its_group_goes_on() throws Exception {
        RestClient client = this.restClientBuilder.build();
        DOWNSTREAM.clear();
        ENTERED.clear();
        try (TaskGroup group = this.factory.open("upstream")) {
            Task<String> task =
                    group.fork(() -> client.get().uri(url()).retrieve().body(String.class));
            assertThat(ENTERED.poll(30, TimeUnit.SECONDS)).isNotNull();
            task.cancel();
            await().atMost(Duration.ofSeconds(10)).until(() -> task.state().isDone());
            assertThat(task.state()).isEqualTo(Task.State.CANCELLED);
            assertThat(group.cancellationReason()).isEmpty();
            assertThat(DOWNSTREAM.poll(30, TimeUnit.SECONDS)).isEqualTo(CancellationReason.REQUEST_ABORTED.value());
            group.join();
        }
    }

    @Test
    void a_call_outside_any_group_is_untouched_and_succeeds() {
        RestClient client = this.restClientBuilder.build();
        assertThat(client.get()
                        .uri("http://localhost:" + this.port + "/quick")
                        .retrieve()
                        .body(String.class))
                .isEqualTo("quick");
    }

    @Test
    void a_call_that_completes_inside_a_group_leaves_nothing_to_run_at_cancellation() throws Exception {
        RestClient client = this.restClientBuilder.build();
        try (TaskGroup group = this.factory.open("upstream")) {
            Task<String> task = group.fork(() -> client.get()
                    .uri("http://localhost:" + this.port + "/quick")
                    .retrieve()
                    .body(String.class));
            group.join();
            assertThat(task.get()).isEqualTo("quick");
            group.cancel(); // the call's abort was deregistered: nothing runs, nothing fails
        }
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

        @Bean
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

        @GetMapping("/quick")
        String quick() {
            return "quick";
        }
    }
}
