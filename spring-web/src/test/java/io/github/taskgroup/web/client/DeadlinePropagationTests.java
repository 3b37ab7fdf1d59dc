package io.github.taskgroup.web.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupOptions;
import io.github.taskgroup.TaskGroupTimeoutException;
import io.github.taskgroup.web.client.DeadlinePropagation.Outcome;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.mock.http.client.MockClientHttpRequest;
import org.springframework.mock.http.client.MockClientHttpResponse;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * The header rule, through the interceptor ({@code RestClient}, {@code RestTemplate}), the filter ({@code
 * WebClient}) and the JDK {@code HttpClient} helper. Deterministic: deadlines are far away or already past
 * (through a clock set after them), never waited for.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DeadlinePropagationTests {

    private static final String HEADER = DeadlinePropagation.DEFAULT_HEADER_NAME;

    private final TaskGroupFactory factory = TaskGroupFactory.builder().build();

    private final List<Outcome> outcomes = new CopyOnWriteArrayList<>();

    private final DeadlinePropagation propagation =
            DeadlinePropagation.builder().listener(this.outcomes::add).build();

    @AfterEach
    void stop() {
        this.factory.shutdown();
    }

    private TaskGroup open(Duration timeout) {
        return this.factory.open(
                "calls", TaskGroupOptions.builder().timeout(timeout).build());
    }

    private MockClientHttpRequest intercept(DeadlinePropagation rule, MockClientHttpRequest request) throws Exception {
        AtomicReference<MockClientHttpRequest> sent = new AtomicReference<>();
        ClientHttpRequestExecution execution = (req, body) -> {
            sent.set((MockClientHttpRequest) req);
            return new MockClientHttpResponse(new byte[0], HttpStatus.OK);
        };
        new DeadlinePropagationInterceptor(rule).intercept(request, new byte[0], execution);
        return sent.get();
    }

    private MockClientHttpRequest intercept(MockClientHttpRequest request) throws Exception {
        return intercept(this.propagation, request);
    }

    private static MockClientHttpRequest get() {
        return new MockClientHttpRequest(HttpMethod.GET, URI.create("http://backend/items"));
    }

    @Test
    void a_deadline_of_two_seconds_sends_at_most_2000_whole_milliseconds() throws Exception {
        try (TaskGroup group = open(Duration.ofSeconds(2))) {
            String value = intercept(get()).getHeaders().getFirst(HEADER);
            assertThat(value).matches("[0-9]+");
            assertThat(Long.parseLong(value)).isPositive().isLessThanOrEqualTo(2000);
            group.join();
        }
        assertThat(this.outcomes).containsExactly(Outcome.PROPAGATED);
    }

    @Test
    void the_remaining_time_is_rounded_down() throws Exception {
        try (TaskGroup group = open(Duration.ofHours(1))) {
            Instant deadline = group.deadline().orElseThrow();
            Clock almost = Clock.fixed(deadline.minusNanos(1_234_999_999), ZoneOffset.UTC);
            DeadlinePropagation rule =
                    DeadlinePropagation.builder().clock(almost).build();
            assertThat(intercept(rule, get()).getHeaders().getFirst(HEADER)).isEqualTo("1234");
            group.join();
        }
    }

    @Test
    void an_enclosing_groups_deadline_travels_from_a_nested_group_without_one() throws Exception {
        try (TaskGroup outer = open(Duration.ofHours(1))) {
            try (TaskGroup inner = this.factory.open("inner")) {
                Clock atOuter = Clock.fixed(outer.deadline().orElseThrow().minusSeconds(10), ZoneOffset.UTC);
                DeadlinePropagation rule =
                        DeadlinePropagation.builder().clock(atOuter).build();
                assertThat(intercept(rule, get()).getHeaders().getFirst(HEADER)).isEqualTo("10000");
                inner.join();
            }
            outer.join();
        }
    }

    @Test
    void a_call_from_a_task_carries_its_groups_deadline() throws Exception {
        try (TaskGroup group = open(Duration.ofHours(1))) {
            var task = group.fork(() -> intercept(get()).getHeaders().getFirst(HEADER));
            group.join();
            assertThat(Long.parseLong(task.get())).isPositive().isLessThanOrEqualTo(3_600_000);
        }
    }

    @Test
    void no_group_means_no_header_and_a_callers_header_is_left_alone() throws Exception {
        assertThat(intercept(get()).getHeaders().containsHeader(HEADER)).isFalse();
        MockClientHttpRequest own = get();
        own.getHeaders().set(HEADER, "250");
        assertThat(intercept(own).getHeaders().getFirst(HEADER)).isEqualTo("250");
        assertThat(this.outcomes).isEmpty();
    }

    @Test
    void a_group_without_deadline_sends_no_header() throws Exception {
        try (TaskGroup group = this.factory.open("no-deadline")) {
            assertThat(intercept(get()).getHeaders().containsHeader(HEADER)).isFalse();
            group.join();
        }
        assertThat(this.outcomes).isEmpty();
    }

    @Test
    void when_the_caller_set_the_header_too_the_smaller_value_is_sent() throws Exception {
        try (TaskGroup group = open(Duration.ofHours(1))) {
            MockClientHttpRequest smaller = get();
            smaller.getHeaders().set(HEADER, "250");
            assertThat(intercept(smaller).getHeaders().getFirst(HEADER)).isEqualTo("250");
            MockClientHttpRequest larger = get();
            larger.getHeaders().set(HEADER, "999999999");
            assertThat(Long.parseLong(intercept(larger).getHeaders().getFirst(HEADER)))
                    .isLessThanOrEqualTo(3_600_000);
            MockClientHttpRequest garbage = get();
            garbage.getHeaders().set(HEADER, "soon");
            assertThat(intercept(garbage).getHeaders().getFirst(HEADER)).matches("[0-9]+");
            group.join();
        }
    }

    @Test
    void a_call_after_the_deadline_is_not_sent_fails_with_a_timeout_and_is_counted() throws Exception {
        try (TaskGroup group = open(Duration.ofHours(1))) {
            Clock after = Clock.fixed(group.deadline().orElseThrow().plusSeconds(1), ZoneOffset.UTC);
            DeadlinePropagation rule = DeadlinePropagation.builder()
                    .clock(after)
                    .listener(this.outcomes::add)
                    .build();
            assertThatThrownBy(() -> intercept(rule, get()))
                    .isInstanceOf(TaskGroupTimeoutException.class)
                    .hasMessageContaining("'calls'")
                    .hasMessageContaining("GET http://backend/items")
                    .hasMessageContaining("was not sent");
            group.join();
        }
        assertThat(this.outcomes).containsExactly(Outcome.EXPIRED);
    }

    @Test
    void less_than_a_millisecond_left_counts_as_expired() {
        try (TaskGroup group = open(Duration.ofHours(1))) {
            Clock almost = Clock.fixed(group.deadline().orElseThrow().minusNanos(999_999), ZoneOffset.UTC);
            DeadlinePropagation rule =
                    DeadlinePropagation.builder().clock(almost).build();
            assertThatThrownBy(() -> intercept(rule, get())).isInstanceOf(TaskGroupTimeoutException.class);
            group.cancel();
        }
    }

    @Test
    void a_listener_that_throws_does_not_stop_the_call() throws Exception {
        DeadlinePropagation rule = DeadlinePropagation.builder()
                .listener((outcome) -> {
                    throw new IllegalStateException("broken registry");
                })
                .build();
        try (TaskGroup group = open(Duration.ofHours(1))) {
            assertThat(intercept(rule, get()).getHeaders().getFirst(HEADER)).matches("[0-9]+");
            group.join();
        }
    }

    // WebClient

    private static ClientRequest webRequest() {
        return ClientRequest.create(HttpMethod.GET, URI.create("http://backend/items"))
                .build();
    }

    private static ExchangeFunction recorder(AtomicReference<ClientRequest> sent) {
        return (request) -> {
            sent.set(request);
            return Mono.just(ClientResponse.create(HttpStatus.OK).build());
        };
    }

    @Test
    void the_web_client_filter_sends_the_deadline_of_the_subscribing_threads_group() throws Exception {
        AtomicReference<ClientRequest> sent = new AtomicReference<>();
        DeadlinePropagationFilter filter = new DeadlinePropagationFilter(this.propagation);
        Mono<ClientResponse> exchange = filter.filter(webRequest(), recorder(sent));
        try (TaskGroup group = open(Duration.ofSeconds(2))) {
            // built outside the group, subscribed inside a task of it
            group.fork(() -> filter.filter(webRequest(), recorder(sent)).block());
            group.join();
        }
        assertThat(Long.parseLong(sent.get().headers().getFirst(HEADER)))
                .isPositive()
                .isLessThanOrEqualTo(2000);
        exchange.block(); // no group on this thread now
        assertThat(sent.get().headers().containsHeader(HEADER)).isFalse();
        assertThat(this.outcomes).containsExactly(Outcome.PROPAGATED);
    }

    @Test
    void the_web_client_filter_finds_a_group_in_the_reactor_context() {
        AtomicReference<ClientRequest> sent = new AtomicReference<>();
        try (TaskGroup group = this.factory.openRoot(
                "elsewhere",
                TaskGroupOptions.builder().timeout(Duration.ofHours(1)).build())) {
            new DeadlinePropagationFilter(this.propagation)
                    .filter(webRequest(), recorder(sent))
                    .contextWrite(Context.of(TaskGroup.class, group))
                    .block();
            group.cancel();
        }
        assertThat(Long.parseLong(sent.get().headers().getFirst(HEADER))).isPositive();
    }

    @Test
    void the_web_client_filter_fails_an_expired_call_without_sending_it() {
        AtomicReference<ClientRequest> sent = new AtomicReference<>();
        try (TaskGroup group = open(Duration.ofHours(1))) {
            Clock after = Clock.fixed(group.deadline().orElseThrow().plusMillis(1), ZoneOffset.UTC);
            DeadlinePropagation rule = DeadlinePropagation.builder()
                    .clock(after)
                    .listener(this.outcomes::add)
                    .build();
            Mono<ClientResponse> exchange = new DeadlinePropagationFilter(rule).filter(webRequest(), recorder(sent));
            assertThatThrownBy(exchange::block).isInstanceOf(TaskGroupTimeoutException.class);
            group.cancel();
        }
        assertThat(sent.get()).isNull();
        assertThat(this.outcomes).containsExactly(Outcome.EXPIRED);
    }

    // JDK HttpClient

    @Test
    void the_jdk_helper_sets_the_header_only_inside_a_group_with_a_deadline() throws Exception {
        assertThat(this.propagation.headerValue()).isEmpty();
        assertThat(this.propagation
                        .decorate(HttpRequest.newBuilder(URI.create("http://backend/items")))
                        .build()
                        .headers()
                        .firstValue(HEADER))
                .isEmpty();
        try (TaskGroup group = open(Duration.ofSeconds(2))) {
            HttpRequest request = this.propagation
                    .decorate(HttpRequest.newBuilder(URI.create("http://backend/items")))
                    .build();
            assertThat(Long.parseLong(request.headers().firstValue(HEADER).orElseThrow()))
                    .isPositive()
                    .isLessThanOrEqualTo(2000);
            assertThat(this.propagation.headerValue())
                    .hasValueSatisfying((v) -> assertThat(v).matches("[0-9]+"));
            group.join();
        }
    }

    @Test
    void a_header_name_must_be_a_legal_http_token() {
        assertThat(DeadlinePropagation.isHeaderName("X-Deadline-Ms")).isTrue();
        assertThat(DeadlinePropagation.isHeaderName("X Deadline")).isFalse();
        assertThat(DeadlinePropagation.isHeaderName("X-Deadline:")).isFalse();
        assertThat(DeadlinePropagation.isHeaderName("")).isFalse();
        assertThatThrownBy(() -> DeadlinePropagation.builder().headerName("bad header"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad header");
        assertThat(DeadlinePropagation.builder().headerName("Deadline").build().headerName())
                .isEqualTo("Deadline");
    }
}
