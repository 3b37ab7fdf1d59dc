package io.github.taskgroup.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.sample.product.DownstreamClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.web.client.RestClient;

/**
 * The request factory of the downstream client really aborts an HTTP call when the calling thread is
 * interrupted: the call returns at once, and the server sees its connection closed.
 */
class InterruptibleHttpCallTest {

    @Test
    void interruptingTheCallerClosesTheConnection() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            CountDownLatch requestRead = new CountDownLatch(1);
            CountDownLatch connectionClosed = new CountDownLatch(1);
            Thread serverThread = new Thread(
                    () -> {
                        try (Socket socket = server.accept()) {
                            InputStream in = socket.getInputStream();
                            byte[] buffer = new byte[4096];
                            // Read the request head, never answer, and wait for the client to go away.
                            int n = in.read(buffer);
                            if (n > 0) {
                                requestRead.countDown();
                            }
                            while (in.read(buffer) >= 0) {
                                // discard
                            }
                            connectionClosed.countDown();
                        } catch (IOException ex) {
                            connectionClosed.countDown(); // reset by peer: closed too
                        }
                    },
                    "silent-server");
            serverThread.start();

            RestClient client = RestClient.builder()
                    .requestFactory(DownstreamClient.interruptibleRequestFactory())
                    .build();
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread caller = new Thread(
                    () -> {
                        try {
                            client.get()
                                    .uri("http://127.0.0.1:" + server.getLocalPort() + "/slow")
                                    .retrieve()
                                    .body(String.class);
                            outcome.set(new AssertionError("the call returned"));
                        } catch (Throwable ex) {
                            outcome.set(ex);
                        }
                    },
                    "caller");
            caller.start();

            assertThat(requestRead.await(10, TimeUnit.SECONDS))
                    .as("the server got the request")
                    .isTrue();
            long interruptedAt = System.nanoTime();
            caller.interrupt();
            caller.join(Duration.ofSeconds(5).toMillis());
            assertThat(caller.isAlive())
                    .as("the call ended after the interrupt")
                    .isFalse();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - interruptedAt))
                    .isLessThan(2000);
            assertThat(outcome.get()).hasRootCauseInstanceOf(InterruptedException.class);

            assertThat(connectionClosed.await(5, TimeUnit.SECONDS))
                    .as("the server saw the connection close")
                    .isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> !serverThread.isAlive());
        }
    }
}
