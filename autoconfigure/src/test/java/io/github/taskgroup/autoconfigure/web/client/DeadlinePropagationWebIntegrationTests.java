package io.github.taskgroup.autoconfigure.web.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupOptions;
import io.github.taskgroup.TaskGroupTimeoutException;
import io.github.taskgroup.micrometer.TaskGroupMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * A real server receives the remaining time from clients built from Spring Boot's builders, called from inside a
 * task of a group with a timeout; a call after the deadline never reaches it. Deterministic: the deadline is an
 * hour away, or has passed because {@code join} reported it.
 */
@SpringBootTest(
        classes = DeadlinePropagationWebIntegrationTests.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.autoconfigure.exclude="
                    + "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration",
            "spring.main.web-application-type=servlet"
        })
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DeadlinePropagationWebIntegrationTests {

    private static final long HOUR = Duration.ofHours(1).toMillis();

    @Autowired
    private TaskGroupFactory factory;

    @Autowired
    private RestClient.Builder restClientBuilder;

    @Autowired
    private RestTemplateBuilder restTemplateBuilder;

    @Autowired
    private WebClient.Builder webClientBuilder;

    @Autowired
    private Received received;

    @Autowired
    private MeterRegistry meterRegistry;

    @LocalServerPort
    private int port;

    private String url() {
        return "http://localhost:" + this.port + "/deadline";
    }

    private TaskGroup open(Duration timeout) {
        return this.factory.open(
                "outgoing", TaskGroupOptions.builder().timeout(timeout).build());
    }

    private double count(String outcome) {
        return this.meterRegistry
                .get(TaskGroupMeters.PROPAGATION_CALLS)
                .tag(TaskGroupMeters.OUTCOME, outcome)
                .counter()
                .count();
    }

    @Test
    void clients_from_boots_builders_send_the_remaining_time_of_the_calling_task() throws Exception {
        RestClient restClient = this.restClientBuilder.build();
        RestTemplate restTemplate = this.restTemplateBuilder.build();
        WebClient webClient = this.webClientBuilder.build();
        double before = count("propagated");
        try (TaskGroup group = open(Duration.ofHours(1))) {
            Task<String> viaRestClient =
                    group.fork(() -> restClient.get().uri(url()).retrieve().body(String.class));
            Task<String> viaRestTemplate = group.fork(() -> restTemplate.getForObject(url(), String.class));
            Task<String> viaWebClient = group.fork(() -> webClient
                    .get()
                    .uri(url())
                    .retrieve()
                    .bodyToMono(String.class)
                    .block());
            group.join();
            for (Task<String> call : java.util.List.of(viaRestClient, viaRestTemplate, viaWebClient)) {
                assertThat(Long.parseLong(call.get())).isPositive().isLessThanOrEqualTo(HOUR);
            }
        }
        assertThat(count("propagated") - before).isEqualTo(3);
    }

    @Test
    void a_call_outside_any_group_carries_no_header() {
        assertThat(this.restClientBuilder.build().get().uri(url()).retrieve().body(String.class))
                .isEqualTo("none");
        assertThat(this.webClientBuilder
                        .build()
                        .get()
                        .uri(url())
                        .retrieve()
                        .bodyToMono(String.class)
                        .block())
                .isEqualTo("none");
    }

    @Test
    void a_call_after_the_deadline_is_not_sent_and_is_counted() {
        RestClient restClient = this.restClientBuilder.build();
        RestTemplate restTemplate = this.restTemplateBuilder.build();
        WebClient webClient = this.webClientBuilder.build();
        double before = count("expired");
        int received = this.received.count.get();
        try (TaskGroup group = open(Duration.ofMillis(1))) {
            CountDownLatch never = new CountDownLatch(1);
            group.fork(() -> {
                never.await(); // until the deadline cancels it
                return null;
            });
            assertThatThrownBy(group::join).isInstanceOf(TaskGroupTimeoutException.class);
            // the deadline has passed; the group is still this thread's current group
            assertThatThrownBy(() -> restClient.get().uri(url()).retrieve().body(String.class))
                    .isInstanceOf(TaskGroupTimeoutException.class)
                    .hasMessageContaining("'outgoing'");
            assertThatThrownBy(() -> restTemplate.getForObject(url(), String.class))
                    .isInstanceOf(TaskGroupTimeoutException.class);
            assertThatThrownBy(() -> webClient
                            .get()
                            .uri(url())
                            .retrieve()
                            .bodyToMono(String.class)
                            .block())
                    .isInstanceOf(TaskGroupTimeoutException.class);
        }
        assertThat(this.received.count.get()).isEqualTo(received);
        assertThat(count("expired") - before).isEqualTo(3);
    }

    /** Counts the requests the server received. */
    static class Received {

        final AtomicInteger count = new AtomicInteger();
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean
        Received received() {
            return new Received();
        }

        @Bean
        DeadlineController deadlineController(Received received) {
            return new DeadlineController(received);
        }
    }

    /** Answers with the header it received, or "none". */
    @RestController
    static class DeadlineController {

        private final Received received;

        DeadlineController(Received received) {
            this.received = received;
        }

        @GetMapping("/deadline")
        String deadline(@RequestHeader(name = "X-Request-Timeout-Ms", required = false) String value) {
            this.received.count.incrementAndGet();
            return value == null ? "none" : value;
        }
    }
}
