package io.github.taskgroup.autoconfigure.web.incoming;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.micrometer.TaskGroupMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A request that carries {@code X-Request-Timeout-Ms} gets a request group whose deadline is the earlier of its
 * configured timeout (here {@code taskgroup.default-timeout=60s}) and the received time less the margin (5 ms).
 * {@code /a} calls {@code /b} on the same server from a task of its request group, with a client from Spring
 * Boot's builder: the chain A -> B in one JVM. Each handler answers what it received and how long its group had
 * left when it asked (see {@link #parse}).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
abstract class AbstractIncomingDeadlineTests {

    static final String[] PROPERTIES = {
        "taskgroup.default-timeout=60s",
        "taskgroup.propagation.incoming.extra-header-names=x-envoy-expected-rq-timeout-ms"
    };

    static final long CONFIGURED = 60_000;

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
                .timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    double received(String outcome) {
        return this.meters
                .get(TaskGroupMeters.PROPAGATION_RECEIVED)
                .tag(TaskGroupMeters.OUTCOME, outcome)
                .counter()
                .count();
    }

    /** @return the {@code key=value;...} answer of a handler, as a map */
    static Map<String, String> parse(String body) {
        Map<String, String> values = new HashMap<>();
        for (String pair : body.split(";")) {
            String[] kv = pair.split("=", 2);
            values.put(kv[0], kv[1]);
        }
        return values;
    }

    /**
     * @return what a handler answers: the header it received, its group's time left in milliseconds, and the
     *     received value and its outcome as the group's attributes show them
     */
    static String describe(TaskGroup group, String header) {
        long left = group.deadline()
                .map((deadline) -> Duration.between(Instant.now(), deadline).toMillis())
                .orElse(-1L);
        return "header=" + header + ";left=" + left + ";receivedAttribute="
                + group.attributes().get("taskgroup.received-timeout-ms") + ";outcomeAttribute="
                + group.attributes().get("taskgroup.received-timeout-outcome");
    }

    @Test
    void the_deadline_shrinks_hop_by_hop_and_each_group_adopts_what_it_received() throws Exception {
        double adopted = received("adopted");
        HttpResponse<String> response = get("/a", "X-Request-Timeout-Ms", "20000");
        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, String> values = parse(response.body());
        long aLeft = Long.parseLong(values.get("aLeft"));
        long bHeader = Long.parseLong(values.get("header"));
        long bLeft = Long.parseLong(values.get("left"));
        assertThat(aLeft).isPositive().isLessThanOrEqualTo(20000 - 5);
        assertThat(bHeader).isPositive().isLessThan(20000).isLessThanOrEqualTo(aLeft);
        assertThat(bLeft).isPositive().isLessThanOrEqualTo(bHeader - 5);
        assertThat(values)
                .containsEntry("receivedAttribute", Long.toString(bHeader))
                .containsEntry("outcomeAttribute", "adopted");
        assertThat(received("adopted") - adopted).isEqualTo(2);
    }

    @Test
    void a_caller_cannot_lengthen_the_configured_timeout() throws Exception {
        double later = received("ignored-later");
        HttpResponse<String> response = get("/b", "X-Request-Timeout-Ms", "3600000");
        Map<String, String> values = parse(response.body());
        assertThat(values.get("header")).isEqualTo("3600000");
        assertThat(Long.parseLong(values.get("left"))).isPositive().isLessThanOrEqualTo(CONFIGURED);
        assertThat(values)
                .containsEntry("receivedAttribute", "3600000")
                .containsEntry("outcomeAttribute", "ignored-later");
        assertThat(received("ignored-later") - later).isEqualTo(1);
    }

    @Test
    void a_malformed_or_negative_value_is_ignored_and_counted() throws Exception {
        double malformed = received("ignored-malformed");
        for (String value : new String[] {"abc", "-5", "1.5", "99999999999999999999"}) {
            HttpResponse<String> response = get("/b", "X-Request-Timeout-Ms", value);
            assertThat(response.statusCode()).as(value).isEqualTo(200);
            long left = Long.parseLong(parse(response.body()).get("left"));
            assertThat(left).as(value).isGreaterThan(CONFIGURED / 2).isLessThanOrEqualTo(CONFIGURED);
            assertThat(parse(response.body())).as(value).containsEntry("receivedAttribute", "null");
        }
        assertThat(received("ignored-malformed") - malformed).isEqualTo(4);
    }

    @Test
    void an_extra_header_counts_when_configured_and_the_smallest_value_wins() throws Exception {
        HttpResponse<String> envoyOnly = get("/b", "x-envoy-expected-rq-timeout-ms", "1500");
        assertThat(Long.parseLong(parse(envoyOnly.body()).get("left")))
                .isPositive()
                .isLessThanOrEqualTo(1495);
        HttpResponse<String> both = get("/b", "X-Request-Timeout-Ms", "4000", "x-envoy-expected-rq-timeout-ms", "1500");
        assertThat(Long.parseLong(parse(both.body()).get("left"))).isPositive().isLessThanOrEqualTo(1495);
        HttpResponse<String> unknown = get("/b", "x-other-timeout-ms", "1500");
        assertThat(Long.parseLong(parse(unknown.body()).get("left"))).isGreaterThan(CONFIGURED / 2);
    }

    @Test
    void a_budget_already_used_up_fails_the_request_at_once_with_504() throws Exception {
        double expired = received("expired");
        long started = System.nanoTime();
        HttpResponse<String> zero = get("/wait", "X-Request-Timeout-Ms", "0");
        HttpResponse<String> belowMargin = get("/wait", "X-Request-Timeout-Ms", "3");
        long tookMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        assertThat(zero.statusCode()).isEqualTo(504);
        assertThat(belowMargin.statusCode()).isEqualTo(504);
        assertThat(tookMillis).isLessThan(CONFIGURED / 2); // not the configured timeout: at once
        assertThat(received("expired") - expired).isEqualTo(2);
    }
}
