package io.github.taskgroup.autoconfigure.web.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.Task;
import io.github.taskgroup.autoconfigure.web.RawHttp;
import io.github.taskgroup.autoconfigure.web.chain.ChainHopApps.HopRecorder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A chain A -> B -> C of three applications in this JVM, each with its own real server on loopback, for each
 * server stack (Tomcat, Jetty, WebFlux on Reactor Netty) and, on Spring MVC, each client Spring Boot's
 * {@code RestClient.Builder} can be built on (Apache HttpClient 5, Jetty, Reactor Netty, the JDK's
 * {@code HttpClient}); WebFlux hops call with a {@code WebClient} on Reactor Netty. Every hop has a 60 s
 * timeout ({@code taskgroup.default-timeout}). Covers, through three hops: the deadline shrinking and adopted at
 * each hop, the min rule, a malformed header, a deadline already passed, and a client hanging up at A, which
 * cancels A's and B's calls in flight (each ends CANCELLED) and C's work.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ThreeHopChainWebIntegrationTests {

    static final long CONFIGURED = 60_000;

    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class Contract {

        private final HttpClient http = HttpClient.newHttpClient();

        private final List<ConfigurableApplicationContext> hops = new ArrayList<>(); // C, B, A

        /** @return {@code tomcat}, {@code jetty} or {@code webflux} */
        abstract String stack();

        /** @return the value of {@code spring.http.clients.imperative.factory}, or null on WebFlux */
        abstract String client();

        @BeforeAll
        void startTheChain() {
            String next = "";
            for (String name : List.of("C", "B", "A")) {
                ConfigurableApplicationContext hop = hop(name, next);
                this.hops.add(hop);
                next = "http://127.0.0.1:" + port(hop);
            }
        }

        @AfterAll
        void stopTheChain() {
            for (int i = this.hops.size() - 1; i >= 0; i--) {
                this.hops.get(i).close();
            }
        }

        @BeforeEach
        void clear() {
            this.hops.forEach((hop) -> hop.getBean(HopRecorder.class).clear());
        }

        ConfigurableApplicationContext hop(String name, String next) {
            boolean reactive = stack().equals("webflux");
            List<String> properties = new ArrayList<>(List.of(
                    "server.port=0",
                    "server.address=127.0.0.1",
                    "chain.hop=" + name,
                    "chain.next=" + next,
                    "taskgroup.default-timeout=60s",
                    "spring.main.banner-mode=off",
                    "spring.main.web-application-type=" + (reactive ? "reactive" : "servlet"),
                    "spring.autoconfigure.exclude="
                            + (reactive
                                    ? "org.springframework.boot.tomcat.autoconfigure.reactive."
                                            + "TomcatReactiveWebServerAutoConfiguration,org.springframework.boot."
                                            + "jetty.autoconfigure.reactive.JettyReactiveWebServerAutoConfiguration"
                                    : stack().equals("jetty")
                                            ? "org.springframework.boot.tomcat.autoconfigure.servlet."
                                                    + "TomcatServletWebServerAutoConfiguration"
                                            : "org.springframework.boot.jetty.autoconfigure.servlet."
                                                    + "JettyServletWebServerAutoConfiguration")));
            if (client() != null) {
                properties.add("spring.http.clients.imperative.factory=" + client());
            }
            return new SpringApplicationBuilder(
                            reactive ? ChainHopApps.ReactiveHop.class : ChainHopApps.ServletHop.class)
                    .properties(properties.toArray(String[]::new))
                    .run();
        }

        static int port(ConfigurableApplicationContext context) {
            return ((WebServerApplicationContext) context).getWebServer().getPort();
        }

        ConfigurableApplicationContext a() {
            return this.hops.get(2);
        }

        HopRecorder recorder(String hop) {
            return this.hops.get(2 - "ABC".indexOf(hop)).getBean(HopRecorder.class);
        }

        HttpResponse<String> get(String header) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(a()) + "/hop"))
                    .timeout(Duration.ofSeconds(30));
            if (header != null) {
                request.header("X-Request-Timeout-Ms", header);
            }
            return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }

        /** @return per hop, A first: {header, left} from an answer {@code A:header=..;left=..|B:...|C:...} */
        static List<String[]> parse(String body) {
            List<String[]> hops = new ArrayList<>();
            for (String hop : body.split("\\|")) {
                String[] fields = hop.substring(hop.indexOf(':') + 1).split(";");
                hops.add(new String[] {fields[0].substring("header=".length()), fields[1].substring("left=".length())});
            }
            return hops;
        }

        @Test
        void each_hop_calls_the_next_with_the_client_under_test() {
            Object client = (client() != null)
                    ? a().getBean(ClientHttpRequestFactoryBuilder.class).build()
                    : a().getBean(ClientHttpConnectorBuilder.class).build();
            String expected = switch (String.valueOf(client())) {
                case "http-components" -> "HttpComponentsClientHttpRequestFactory";
                case "jetty" -> "JettyClientHttpRequestFactory";
                case "reactor" -> "ReactorClientHttpRequestFactory";
                case "jdk" -> "JdkClientHttpRequestFactory";
                default -> "ReactorClientHttpConnector";
            };
            assertThat(client.getClass().getSimpleName()).isEqualTo(expected);
        }

        @Test
        void the_deadline_shrinks_at_each_hop_and_each_hop_adopts_what_it_received() throws Exception {
            HttpResponse<String> response = get("20000");
            assertThat(response.statusCode()).isEqualTo(200);
            List<String[]> hops = parse(response.body());
            assertThat(hops).hasSize(3);
            long previousLeft = 20_000;
            for (int h = 0; h < 3; h++) {
                long header = Long.parseLong(hops.get(h)[0]);
                long left = Long.parseLong(hops.get(h)[1]);
                // what a hop receives is at most what its caller had left; it adopts that less the 5 ms margin
                assertThat(header).as("header at hop %d", h).isPositive().isLessThanOrEqualTo(previousLeft);
                assertThat(left).as("left at hop %d", h).isPositive().isLessThanOrEqualTo(header - 5);
                previousLeft = left;
            }
        }

        @Test
        void a_caller_cannot_lengthen_the_configured_timeout() throws Exception {
            List<String[]> hops = parse(get("3600000").body());
            assertThat(Long.parseLong(hops.get(0)[1])).isPositive().isLessThanOrEqualTo(CONFIGURED);
            assertThat(Long.parseLong(hops.get(1)[0])).isPositive().isLessThanOrEqualTo(CONFIGURED);
            assertThat(Long.parseLong(hops.get(2)[0])).isPositive().isLessThanOrEqualTo(CONFIGURED);
        }

        @Test
        void a_malformed_header_at_A_is_ignored_and_A_s_configured_timeout_travels() throws Exception {
            HttpResponse<String> response = get("abc");
            assertThat(response.statusCode()).isEqualTo(200);
            List<String[]> hops = parse(response.body());
            long aLeft = Long.parseLong(hops.get(0)[1]);
            assertThat(aLeft).isGreaterThan(CONFIGURED / 2).isLessThanOrEqualTo(CONFIGURED);
            assertThat(Long.parseLong(hops.get(1)[0])).isPositive().isLessThanOrEqualTo(aLeft);
        }

        @RepeatedTest(10) // the group opens timed out: a race with the factory's timer answered 500 (fixed)
        void a_deadline_already_passed_at_A_answers_504_at_once_and_B_is_never_called() throws Exception {
            int arrivalsAtB = recorder("B").arrivals.get();
            long started = System.nanoTime();
            HttpResponse<String> response = get("0");
            assertThat(response.statusCode()).isEqualTo(504);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            assertThat(recorder("B").arrivals.get()).isEqualTo(arrivalsAtB);
        }

        @Test
        void a_client_hanging_up_at_A_cancels_the_calls_in_flight_and_the_work_at_C() throws Exception {
            HopRecorder c = recorder("C");
            try (RawHttp client = new RawHttp(port(a()))) {
                client.send(RawHttp.get("/hop?work=block"));
                await().atMost(Duration.ofSeconds(30)).until(() -> c.started.contains("work"));
                client.closeWithFin();
            }
            for (String hop : List.of("C", "B", "A")) {
                HopRecorder recorder = recorder(hop);
                await().atMost(Duration.ofSeconds(10)).until(() -> !recorder.ended.isEmpty());
                assertThat(recorder.ended).as("hop %s", hop).singleElement().satisfies((ended) -> {
                    assertThat(ended.task()).isEqualTo(hop.equals("C") ? "work" : "call");
                    assertThat(ended.state()).isEqualTo(Task.State.CANCELLED);
                    assertThat(ended.reason()).isEqualTo(CancellationReason.REQUEST_ABORTED);
                });
            }
        }
    }

    @Nested
    class Tomcat_with_Apache_HttpClient extends Contract {
        String stack() {
            return "tomcat";
        }

        String client() {
            return "http-components";
        }
    }

    @Nested
    class Tomcat_with_the_Jetty_client extends Contract {
        String stack() {
            return "tomcat";
        }

        String client() {
            return "jetty";
        }
    }

    @Nested
    class Tomcat_with_Reactor_Netty extends Contract {
        String stack() {
            return "tomcat";
        }

        String client() {
            return "reactor";
        }
    }

    @Nested
    class Tomcat_with_the_JDK_HttpClient extends Contract {
        String stack() {
            return "tomcat";
        }

        String client() {
            return "jdk";
        }
    }

    @Nested
    class Jetty_with_Apache_HttpClient extends Contract {
        String stack() {
            return "jetty";
        }

        String client() {
            return "http-components";
        }
    }

    @Nested
    class Jetty_with_the_Jetty_client extends Contract {
        String stack() {
            return "jetty";
        }

        String client() {
            return "jetty";
        }
    }

    @Nested
    class Jetty_with_Reactor_Netty extends Contract {
        String stack() {
            return "jetty";
        }

        String client() {
            return "reactor";
        }
    }

    @Nested
    class Jetty_with_the_JDK_HttpClient extends Contract {
        String stack() {
            return "jetty";
        }

        String client() {
            return "jdk";
        }
    }

    @Nested
    class WebFlux_with_WebClient extends Contract {
        String stack() {
            return "webflux";
        }

        String client() {
            return null;
        }
    }
}
