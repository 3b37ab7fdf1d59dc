package io.github.taskgroup.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.Task;
import io.github.taskgroup.sample.chain.ChainAnswer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;

/**
 * The demo chain {@code product -> pricing -> tax}: three instances of the sample app on loopback. The 2 s
 * deadline at the front arrives as less at each hop, and a client hanging up at the front stops the work at
 * the back.
 */
class ChainTest {

    static ConfigurableApplicationContext tax;
    static ConfigurableApplicationContext pricing;
    static ConfigurableApplicationContext product;

    @BeforeAll
    static void startTheChain() {
        tax = hop("tax", null);
        pricing = hop("pricing", tax);
        product = hop("product", pricing);
    }

    @AfterAll
    static void stopTheChain() {
        for (ConfigurableApplicationContext context : List.of(product, pricing, tax)) {
            context.close();
        }
    }

    static ConfigurableApplicationContext hop(String name, ConfigurableApplicationContext next) {
        return new SpringApplicationBuilder(SampleApplication.class)
                .initializers(context -> ((ConfigurableApplicationContext) context)
                        .getBeanFactory()
                        .registerSingleton("recordingListener", new RecordingListener()))
                .run( // arguments: they win over application.yml's port
                        "--server.port=0",
                        "--server.address=127.0.0.1",
                        "--sample.chain.hop=" + name,
                        "--sample.chain.next=" + (next == null ? "" : "http://127.0.0.1:" + port(next)));
    }

    static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    @Test
    void theDeadlineShrinksAtEachHop() {
        ChainAnswer answer = RestClient.create("http://127.0.0.1:" + port(product))
                .get()
                .uri("/api/chain?workMs=50")
                .retrieve()
                .body(ChainAnswer.class);

        assertThat(answer.hop()).isEqualTo("product");
        assertThat(answer.receivedTimeoutMs()).isNull();
        assertThat(answer.deadlineInMs()).isBetween(1L, 2000L);
        ChainAnswer atPricing = answer.next();
        assertThat(atPricing.hop()).isEqualTo("pricing");
        assertThat(atPricing.receivedTimeoutMs()).isBetween(1L, answer.deadlineInMs());
        assertThat(atPricing.deadlineInMs()).isLessThanOrEqualTo(atPricing.receivedTimeoutMs());
        ChainAnswer atTax = atPricing.next();
        assertThat(atTax.hop()).isEqualTo("tax");
        assertThat(atTax.receivedTimeoutMs()).isBetween(1L, atPricing.deadlineInMs());
        assertThat(atTax.deadlineInMs()).isLessThanOrEqualTo(atTax.receivedTimeoutMs());
        assertThat(atTax.workedMs()).isGreaterThanOrEqualTo(50L);
    }

    @Test
    void aClientHangingUpAtTheFrontStopsTheWorkAtTheBack() throws Exception {
        RecordingListener atTax = tax.getBean(RecordingListener.class);
        atTax.clear();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port(product))) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/chain?workMs=60000 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            atTax.started.stream().anyMatch(task -> task.task().equals("work")));
        } // hang up before any deadline

        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        atTax.finished.stream().anyMatch(task -> task.task().equals("work")));
        RecordingListener.TaskFinished work = atTax.finished("work");
        assertThat(work.state()).isEqualTo(Task.State.CANCELLED);
        assertThat(work.reason()).isEqualTo(CancellationReason.REQUEST_ABORTED);
    }
}
