package io.github.taskgroup.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.web.RequestTaskGroupRegistry;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * HTTP/2, what every server must do: a stream reset aborts the group of that stream's request (reason
 * {@code request-aborted}) and only that one, while another stream of the same connection completes; a
 * connection closed (with FIN, RST, or a GOAWAY then RST) under open streams aborts the groups of all of them;
 * requests answered normally over HTTP/2 (whose streams close after the response) are not aborts. The application maps
 * {@code /h2/port} (answers the client's port), {@code /h2/slow?n=&style=} ({@code n} tasks that sleep until
 * interrupted; {@code blocking} joins on the request's thread, {@code async} answers through a future) and
 * {@code /h2/gated?n=} ({@code n} tasks that wait for the recorder's gate; answers {@code gated <port>}); the
 * port of every {@code /h2/slow} request is added to {@link #slowPorts}.
 */
public abstract class AbstractHttp2StreamResetTests {

    protected static final Duration WAIT = Duration.ofSeconds(10);

    protected static final String SLOW = "GET /h2/slow";

    protected static final String GATED = "GET /h2/gated";

    /** The client port of each {@code /h2/slow} request, as the server saw it. */
    public static final Queue<Integer> slowPorts = new ConcurrentLinkedQueue<>();

    @LocalServerPort
    protected int port;

    @Autowired
    protected TaskRecorder recorder;

    @Autowired
    protected RequestTaskGroupRegistry registry;

    /** @return whether the server speaks h2 over TLS (else h2c) */
    protected abstract boolean tls();

    /**
     * @return whether the server ends a connection gracefully after the client's GOAWAY, letting the streams in
     *         flight finish even when the connection is then closed (Jetty: tried with FIN over TLS and RST)
     */
    protected boolean goAwayIsGraceful() {
        return false;
    }

    @BeforeEach
    void quiet() {
        await().atMost(WAIT).until(() -> this.registry.size() == 0 && this.recorder.activeTaskThreads.isEmpty());
        this.recorder.reset();
        this.recorder.gate = new CountDownLatch(1);
        slowPorts.clear();
    }

    @AfterEach
    void openTheGate() {
        this.recorder.gate.countDown();
    }

    protected URI uri(String path) {
        return URI.create((tls() ? "https" : "http") + "://localhost:" + this.port + path);
    }

    /** @return a JDK client that speaks HTTP/2 (h2c by upgrade, or h2 over TLS trusting the test certificate) */
    protected HttpClient client() throws Exception {
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2);
        if (tls()) {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            try (InputStream in = getClass().getResourceAsStream("/tls/test-keystore.p12")) {
                trusted.load(in, "changeit".toCharArray());
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            builder.sslContext(context);
        }
        return builder.build();
    }

    protected CompletableFuture<HttpResponse<String>> get(HttpClient client, String path) {
        return client.sendAsync(
                HttpRequest.newBuilder(uri(path)).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
    }

    @RepeatedTest(3)
    void theJdkClientSpeaksHttp2OnOneConnection() throws Exception {
        HttpClient client = client();
        HttpResponse<String> first = get(client, "/h2/port").get(WAIT.toSeconds(), TimeUnit.SECONDS);
        HttpResponse<String> second = get(client, "/h2/port").get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(first.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(second.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(second.body()).isEqualTo(first.body());
    }

    /** A stream closes after its response: that is no disconnect, on any server. */
    @RepeatedTest(3)
    void requestsAnsweredOverHttp2AreNotAborted() throws Exception {
        this.recorder.gate.countDown();
        HttpClient client = client();
        for (int i = 1; i <= 5; i++) {
            HttpResponse<String> answer = get(client, "/h2/gated?n=2").get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.version()).isEqualTo(HttpClient.Version.HTTP_2);
            int answered = i;
            await().atMost(WAIT).until(() -> this.recorder.closed(GATED) == answered);
        }
        assertThat(this.recorder.closed(GATED, TaskGroup.Outcome.SUCCEEDED)).isEqualTo(5);
        assertThat(this.recorder.succeeded(GATED)).isEqualTo(10);
        assertThat(this.recorder.cancelled(GATED)).isZero();
    }

    /**
     * The JDK client resets the stream (RST_STREAM, CANCEL) of an exchange whose future is cancelled: the
     * slow request's group is aborted, the gated request on the same connection goes on and answers 200.
     */
    @ParameterizedTest(name = "{0}, attempt {1}")
    @CsvSource({"blocking, 1", "blocking, 2", "blocking, 3", "async, 1", "async, 2", "async, 3"})
    void aStreamResetAbortsOnlyItsRequestsGroup(String style, int attempt) throws Exception {
        HttpClient client = client();
        // Opens the HTTP/2 connection (h2c: the upgrade happens on this first request), then two streams on it.
        HttpResponse<String> warmUp = get(client, "/h2/port").get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(warmUp.version()).isEqualTo(HttpClient.Version.HTTP_2);
        int clientPort = Integer.parseInt(warmUp.body());
        CompletableFuture<HttpResponse<String>> slow = get(client, "/h2/slow?n=2&style=" + style);
        CompletableFuture<HttpResponse<String>> gated = get(client, "/h2/gated?n=1");
        await().atMost(WAIT).until(() -> this.recorder.running(SLOW) == 2 && this.recorder.running(GATED) == 1);
        assertThat(slowPorts).containsExactly(clientPort);

        slow.cancel(true);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(this.recorder.cancelled(SLOW, CancellationReason.REQUEST_ABORTED))
                    .isEqualTo(2);
            assertThat(this.recorder.closed(SLOW)).isEqualTo(1);
        });
        assertThat(this.recorder.running(GATED)).isEqualTo(1);
        assertThat(this.recorder.cancelled(GATED)).isZero();
        assertThat(gated).isNotDone();

        this.recorder.gate.countDown();
        HttpResponse<String> answer = gated.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(answer.body()).isEqualTo("gated " + clientPort);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(this.recorder.closed(GATED, TaskGroup.Outcome.SUCCEEDED)).isEqualTo(1);
            assertThat(this.recorder.activeTaskThreads).isEmpty();
            assertThat(this.registry.size()).isZero();
        });
        assertThat(this.recorder.cancelled(GATED)).isZero();
    }

    /** An explicit RST_STREAM from a raw client: the same, without depending on how the JDK client cancels. */
    @RepeatedTest(3)
    void anExplicitResetAbortsOnlyThatStreamsGroup() throws Exception {
        try (RawHttp2 client = RawHttp2.connect(this.port, tls())) {
            int slow = client.get("/h2/slow?n=2&style=blocking");
            client.get("/h2/gated?n=1");
            await().atMost(WAIT).until(() -> this.recorder.running(SLOW) == 2 && this.recorder.running(GATED) == 1);
            client.reset(slow);
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(this.recorder.cancelled(SLOW, CancellationReason.REQUEST_ABORTED))
                        .isEqualTo(2);
                assertThat(this.recorder.closed(SLOW)).isEqualTo(1);
            });
            assertThat(this.recorder.running(GATED)).isEqualTo(1);
            assertThat(this.recorder.cancelled(GATED)).isZero();
            this.recorder.gate.countDown();
            await().atMost(WAIT).until(() -> this.recorder.closed(GATED, TaskGroup.Outcome.SUCCEEDED) == 1);
        }
    }

    /** A connection closed under two open streams aborts both groups. */
    @ParameterizedTest
    @ValueSource(strings = {"FIN", "RST", "GOAWAY"})
    void aClosedConnectionAbortsTheGroupsOfAllItsStreams(String close) throws Exception {
        Assumptions.assumeFalse(close.equals("GOAWAY") && goAwayIsGraceful(), "GOAWAY is graceful here");
        RawHttp2 client = RawHttp2.connect(this.port, tls());
        try {
            client.get("/h2/slow?n=2&style=blocking");
            client.get("/h2/slow?n=2&style=async");
            await().atMost(WAIT).until(() -> this.recorder.running(SLOW) == 4);
            switch (close) {
                case "FIN" -> client.closeWithFin();
                case "RST" -> client.closeWithRst();
                default -> { // a client that says goodbye and drops the connection
                    client.goAway();
                    client.closeWithRst();
                }
            }
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(this.recorder.cancelled(SLOW, CancellationReason.REQUEST_ABORTED))
                        .isEqualTo(4);
                assertThat(this.recorder.closed(SLOW)).isEqualTo(2);
                assertThat(this.recorder.activeTaskThreads).isEmpty();
            });
        } finally {
            client.close();
        }
    }
}
