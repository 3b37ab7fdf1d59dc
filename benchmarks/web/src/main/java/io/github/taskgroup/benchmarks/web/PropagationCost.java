package io.github.taskgroup.benchmarks.web;

import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupOptions;
import io.github.taskgroup.web.IncomingDeadline;
import io.github.taskgroup.web.client.DeadlinePropagation;
import io.github.taskgroup.web.client.DeadlinePropagationInterceptor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.mock.http.client.MockClientHttpRequest;
import org.springframework.mock.http.client.MockClientHttpResponse;
import org.springframework.web.client.RestClient;

/**
 * What propagation costs per call without the network: the CPU time (of this thread, so that load from other
 * processes moves it little) of a {@code RestClient} call on a mock request factory, with and without
 * {@link DeadlinePropagationInterceptor}, from a group with a deadline; and of reading and applying a received
 * header ({@link IncomingDeadline#read}, {@link IncomingDeadline.Received#applyTo}). Blocks of the variants
 * alternate (ABBA); the median over blocks. Usage: {@code WebPerformanceHarness chain-parts [blocks]}.
 */
final class PropagationCost {

    private PropagationCost() {}

    static void main(String[] args) throws Exception {
        int blocks = (args.length > 0) ? Integer.parseInt(args[0]) : 20;
        int ops = 50_000;
        ClientHttpRequestFactory mock = (uri, method) -> {
            MockClientHttpRequest request = new MockClientHttpRequest(method, uri);
            request.setResponse(new MockClientHttpResponse("c".getBytes(StandardCharsets.US_ASCII), HttpStatus.OK));
            return request;
        };
        DeadlinePropagation propagation = DeadlinePropagation.builder().build();
        RestClient plain = RestClient.builder().requestFactory(mock).build();
        RestClient intercepted = RestClient.builder()
                .requestFactory(mock)
                .requestInterceptor(new DeadlinePropagationInterceptor(propagation))
                .build();
        IncomingDeadline incoming = IncomingDeadline.builder().build();
        Map<String, String> headers = Map.of("X-Request-Timeout-Ms", "9994");
        TaskGroupOptions tenSeconds =
                TaskGroupOptions.builder().timeout(Duration.ofSeconds(10)).build();
        URI uri = URI.create("http://127.0.0.1:1/hop");
        TaskGroupFactory factory = TaskGroupFactory.builder().build();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sink = 0;
        try (TaskGroup group = factory.open("calls", tenSeconds)) { // the current group of this thread
            double[][] nanos = new double[3][blocks];
            for (int b = -5; b < blocks; b++) { // 5 blocks of warm-up
                for (int k = 0; k < 3; k++) {
                    int v = ((b & 1) == 0) ? k : 2 - k;
                    long cpu0 = threads.getCurrentThreadCpuTime();
                    for (int i = 0; i < ops; i++) {
                        switch (v) {
                            case 0 ->
                                sink += plain.get()
                                        .uri(uri)
                                        .retrieve()
                                        .body(String.class)
                                        .length();
                            case 1 ->
                                sink += intercepted
                                        .get()
                                        .uri(uri)
                                        .retrieve()
                                        .body(String.class)
                                        .length();
                            default ->
                                sink += incoming.read(headers::get, System.nanoTime())
                                        .orElseThrow()
                                        .applyTo(tenSeconds, System.nanoTime())
                                        .hashCode();
                        }
                    }
                    if (b >= 0) {
                        nanos[v][b] = (threads.getCurrentThreadCpuTime() - cpu0) / (double) ops;
                    }
                }
            }
            double[] extra = new double[blocks];
            for (int b = 0; b < blocks; b++) {
                extra[b] = nanos[1][b] - nanos[0][b];
            }
            System.out.printf(
                    Locale.ROOT,
                    "RestClient call on a mock factory: %.2f us without propagation, %.2f us with (median of %d"
                            + " blocks of %d); added per call: median %.2f us (quartiles %.2f..%.2f); received header"
                            + " read and applied: %.2f us (sink %d)%n",
                    median(nanos[0]) / 1e3,
                    median(nanos[1]) / 1e3,
                    blocks,
                    ops,
                    median(extra) / 1e3,
                    quartile(extra, 1) / 1e3,
                    quartile(extra, 3) / 1e3,
                    median(nanos[2]) / 1e3,
                    sink & 1);
        } finally {
            factory.shutdown();
        }
    }

    static double median(double[] values) {
        return quartile(values, 2);
    }

    static double quartile(double[] values, int q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (q * sorted.length) / 4)];
    }
}
