package io.github.taskgroup.benchmarks.web;

import io.github.taskgroup.Task;
import io.github.taskgroup.autoconfigure.web.RawHttp;
import io.github.taskgroup.benchmarks.web.ChainApps.HopRecorder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The figures of issue 16 (deadlines and cancellation across services) on a chain A -> B -> C of three Spring Boot
 * applications in one JVM, each on its own loopback port, all on the same server stack (see {@link ChainApps}).
 * Usage: {@code WebPerformanceHarness chain <tomcat|jetty|webflux> <hangup|deadline|overhead> [n]}.
 * <ul>
 *   <li>hangup: a raw client sends {@code GET /hop} to A; once C's task waits on its latch, and 50 to 100 ms more
 *       (so that every hop's request is watched, as for the "settled" latency of {@link WebPerformanceHarness}),
 *       the client closes (FIN). The time from the close to the end of each hop's task (A's and B's calls, C's
 *       wait), which must end CANCELLED; {@code n} (200) repetitions after 20 of warm-up.</li>
 *   <li>deadline: A's request group has a 2 s timeout ({@code taskgroup.default-timeout=2s}), B's and C's 60 s;
 *       C's task waits on its latch. Each task's end against A's deadline (the {@code Instant} A's group reports,
 *       the same JVM's wall clock), the headers B and C received, and the time their caller had left just before
 *       it called; {@code n} (20) repetitions.</li>
 *   <li>overhead: two chains, one with {@code taskgroup.propagation.enabled=false}; every hop has a 10 s timeout
 *       and C answers at once; 8 keep-alive clients on A; {@code n} (20) pairs of rounds of 3,000 requests in ABBA
 *       order after 3 x 3 s of warm-up each; throughput and the process's CPU time per request, the median and
 *       quartiles of the per-pair ratios (on/off) and of the ratios over whole ABBA quadruples. System
 *       properties: {@code chain.reference} replaces the reference's properties ({@code ;} between several: an
 *       A/A check with a property that changes nothing; {@code chain.noop-interceptor=true} gives its
 *       {@code RestClient}s an interceptor that does nothing); {@code chain.referenceFirst=true} starts the
 *       reference chain first.</li>
 * </ul>
 */
final class ChainHarness {

    private ChainHarness() {}

    static void main(String[] args) throws Exception {
        String stack = args[0];
        String mode = args[1];
        int count = (args.length > 2) ? Integer.parseInt(args[2]) : 0;
        System.out.printf(
                Locale.ROOT,
                "chain stack=%s mode=%s java=%s cores=%d load=%s%n",
                stack,
                mode,
                System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(),
                loadAverage());
        switch (mode) {
            case "hangup" -> hangup(stack, (count > 0) ? count : 200);
            case "deadline" -> deadline(stack, (count > 0) ? count : 20);
            case "overhead" -> overhead(stack, (count > 0) ? count : 20);
            default -> throw new IllegalArgumentException(mode);
        }
        System.out.printf(Locale.ROOT, "load after: %s%n", loadAverage());
    }

    /** The three hops, C first; closes them in reverse order. */
    record Chain(List<ConfigurableApplicationContext> hops) implements AutoCloseable {

        ConfigurableApplicationContext a() {
            return this.hops.get(2);
        }

        HopRecorder recorder(int index) {
            return this.hops.get(index).getBean(HopRecorder.class);
        }

        /** @return A, B and C's recorders */
        List<HopRecorder> recorders() {
            return List.of(recorder(2), recorder(1), recorder(0));
        }

        boolean quiet() {
            return recorders().stream().allMatch(HopRecorder::quiet);
        }

        @Override
        public void close() {
            for (int i = this.hops.size() - 1; i >= 0; i--) {
                this.hops.get(i).close();
            }
        }
    }

    static Chain start(String stack, String work, List<String> common, List<String> atA) {
        List<ConfigurableApplicationContext> hops = new ArrayList<>();
        String next = "";
        for (String hop : List.of("C", "B", "A")) {
            List<String> properties = new ArrayList<>(common);
            properties.addAll(List.of("chain.hop=" + hop, "chain.next=" + next, "chain.work=" + work));
            if (hop.equals("A")) {
                properties.addAll(atA);
            }
            ConfigurableApplicationContext context = hop(stack, properties);
            hops.add(context);
            next = "http://127.0.0.1:" + port(context);
        }
        ConfigurableApplicationContext a = hops.get(2);
        String client = stack.equals("webflux")
                ? "WebClient on "
                        + a.getBean(ClientHttpConnectorBuilder.class)
                                .build()
                                .getClass()
                                .getSimpleName()
                : "RestClient on "
                        + a.getBean(ClientHttpRequestFactoryBuilder.class)
                                .build()
                                .getClass()
                                .getSimpleName();
        System.out.printf(
                Locale.ROOT,
                "  chain %s: server %s, client %s, ports A=%d B=%d C=%d%n",
                common.stream().filter((p) -> p.startsWith("taskgroup.")).toList(),
                ((WebServerApplicationContext) a).getWebServer().getClass().getSimpleName(),
                client,
                port(hops.get(2)),
                port(hops.get(1)),
                port(hops.get(0)));
        return new Chain(hops);
    }

    static ConfigurableApplicationContext hop(String stack, List<String> extra) {
        boolean reactive = stack.equals("webflux");
        List<String> properties = new ArrayList<>(
                List.of(
                        "server.port=0",
                        "server.address=127.0.0.1",
                        "spring.main.web-application-type=" + (reactive ? "reactive" : "servlet"),
                        "logging.level.root=WARN",
                        "spring.main.banner-mode=off",
                        "spring.autoconfigure.exclude="
                                + (reactive
                                        ? "org.springframework.boot.tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration,"
                                                + "org.springframework.boot.jetty.autoconfigure.reactive.JettyReactiveWebServerAutoConfiguration"
                                        : stack.equals("jetty")
                                                ? "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration"
                                                : "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration")));
        properties.addAll(extra);
        return new SpringApplicationBuilder(reactive ? ChainApps.ReactiveHopApp.class : ChainApps.ServletHopApp.class)
                .properties(properties.toArray(String[]::new))
                .run();
    }

    static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    static void hangup(String stack, int iterations) throws Exception {
        try (Chain chain = start(stack, "block", List.of("taskgroup.default-timeout=60s"), List.of())) {
            List<HopRecorder> recorders = chain.recorders();
            HopRecorder c = chain.recorder(0);
            int portA = port(chain.a());
            Random random = new Random(42);
            long[][] latencies = new long[3][iterations];
            Map<String, Integer> outcomes = new TreeMap<>();
            int warmup = 20;
            for (int i = -warmup; i < iterations; i++) {
                recorders.forEach(HopRecorder::clear);
                RawHttp client = new RawHttp(portA).send(RawHttp.get("/hop"));
                WebPerformanceHarness.waitFor(() -> c.started.get() == 1);
                // every hop's request watched, then a random point of the 50 ms probe cycle
                TimeUnit.MICROSECONDS.sleep(50_000 + random.nextInt(50_000));
                long closedAt = System.nanoTime();
                client.closeWithFin();
                WebPerformanceHarness.waitFor(chain::quiet);
                for (int h = 0; h < 3; h++) {
                    HopRecorder recorder = recorders.get(h);
                    long last = 0;
                    for (HopRecorder.Ended ended : recorder.ended) {
                        last = Math.max(last, ended.nanos() - closedAt);
                        if (i >= 0) {
                            outcomes.merge(
                                    recorder.hop + " " + ended.task() + " " + ended.state()
                                            + ((ended.state() == Task.State.CANCELLED)
                                                    ? " " + ended.reason().value()
                                                    : ""),
                                    1,
                                    Integer::sum);
                        }
                    }
                    if (i >= 0) {
                        latencies[h][i] = last;
                    }
                }
            }
            for (int h = 0; h < 3; h++) {
                print("hangup " + stack + " close at A -> " + recorders.get(h).hop + "'s task ended", latencies[h]);
            }
            System.out.println("outcomes: " + outcomes);
        }
    }

    static void deadline(String stack, int iterations) throws Exception {
        try (Chain chain = start(
                stack, "block", List.of("taskgroup.default-timeout=60s"), List.of("taskgroup.default-timeout=2s"))) {
            List<HopRecorder> recorders = chain.recorders();
            HopRecorder a = recorders.get(0);
            HopRecorder b = recorders.get(1);
            HopRecorder c = recorders.get(2);
            int portA = port(chain.a());
            double[] worst = new double[iterations];
            double[] answered = new double[iterations];
            long[][] headers = new long[2][iterations];
            Map<String, Integer> outcomes = new TreeMap<>();
            Map<String, Integer> statuses = new TreeMap<>();
            int violations = 0;
            for (int i = -1; i < iterations; i++) { // one warm-up
                recorders.forEach(HopRecorder::clear);
                int status;
                Instant answeredAt;
                try (RawHttp client = new RawHttp(portA)) {
                    client.send(RawHttp.get("/hop"));
                    status = client.read().status();
                    answeredAt = Instant.now();
                }
                WebPerformanceHarness.waitFor(chain::quiet);
                if (i < 0) {
                    continue;
                }
                Instant deadline = a.deadline;
                double max = Double.NEGATIVE_INFINITY;
                StringBuilder ends = new StringBuilder();
                for (HopRecorder recorder : recorders) {
                    for (HopRecorder.Ended ended : recorder.ended) {
                        double end = millis(Duration.between(deadline, ended.at()));
                        max = Math.max(max, end);
                        ends.append(String.format(Locale.ROOT, " %s %+.1f", recorder.hop, end));
                        outcomes.merge(
                                recorder.hop + " " + ended.task() + " " + ended.state()
                                        + ((ended.reason() != null)
                                                ? " " + ended.reason().value()
                                                : ""),
                                1,
                                Integer::sum);
                    }
                }
                worst[i] = max;
                answered[i] = millis(Duration.between(deadline, answeredAt));
                statuses.merge(Integer.toString(status), 1, Integer::sum);
                long hb = Long.parseLong(b.received);
                long hc = Long.parseLong(c.received);
                headers[0][i] = hb;
                headers[1][i] = hc;
                // the header a hop receives is at most what its caller had left just before calling
                boolean ok = hb <= a.leftBeforeCall && hc <= b.leftBeforeCall && hc < hb && hb < 2000;
                if (!ok) {
                    violations++;
                }
                System.out.printf(
                        Locale.ROOT,
                        "  run %d: A left %d ms before calling, B received %d, B left %d ms before calling, C received"
                                + " %d; task ends after A's deadline (ms):%s; answer %+.1f ms (%d)%n",
                        i + 1,
                        a.leftBeforeCall,
                        hb,
                        b.leftBeforeCall,
                        hc,
                        ends,
                        answered[i],
                        status);
            }
            Arrays.sort(worst);
            Arrays.sort(answered);
            Arrays.sort(headers[0]);
            Arrays.sort(headers[1]);
            System.out.printf(
                    Locale.ROOT,
                    "deadline %s n=%d: last task end after A's deadline: median %+.1f ms, max %+.1f ms; client's answer"
                            + " median %+.1f ms, max %+.1f ms; B received %d..%d (median %d), C received %d..%d (median"
                            + " %d); header rule violations %d; statuses %s%n",
                    stack,
                    iterations,
                    worst[iterations / 2],
                    worst[iterations - 1],
                    answered[iterations / 2],
                    answered[iterations - 1],
                    headers[0][0],
                    headers[0][iterations - 1],
                    headers[0][iterations / 2],
                    headers[1][0],
                    headers[1][iterations - 1],
                    headers[1][iterations / 2],
                    violations,
                    statuses);
            System.out.println("outcomes: " + outcomes);
        }
    }

    static void overhead(String stack, int rounds) throws Exception {
        List<String> common = List.of("taskgroup.default-timeout=10s");
        // -Dchain.reference=<property> replaces the reference's switch (an A/A check: a property that changes
        // nothing); -Dchain.referenceFirst=true starts the reference chain first
        // (';' between several properties; chain.noop-interceptor=true gives each RestClient an interceptor that
        // does nothing, as Spring's intercepting request, which sends Content-Length: 0, costs by itself)
        List<String> off = new ArrayList<>(List.of("taskgroup.default-timeout=10s"));
        off.addAll(List.of(System.getProperty("chain.reference", "taskgroup.propagation.enabled=false")
                .split(";")));
        boolean referenceFirst = Boolean.getBoolean("chain.referenceFirst");
        Chain first = start(stack, "none", referenceFirst ? off : common, List.of());
        Chain second = start(stack, "none", referenceFirst ? common : off, List.of());
        try (Chain on = referenceFirst ? second : first;
                Chain none = referenceFirst ? first : second) {
            int[] ports = {port(on.a()), port(none.a())};
            for (int i = 0; i < 3; i++) {
                for (int port : ports) {
                    WebPerformanceHarness.run(port, "/hop", 3_000);
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "  headers received by B: propagation on %s, off %s%n  first request at B, on: %s%n  off: %s%n",
                    on.recorder(1).received,
                    none.recorder(1).received,
                    on.recorder(1).firstHeaders,
                    none.recorder(1).firstHeaders);
            // Pairs in ABBA order, a fixed number of requests per round: throughput (wall time) and the process's
            // CPU time per request (server and client, the client's share the same for both), which moves far
            // less than throughput when other processes load the machine.
            int requests = 3_000;
            double[][] rps = new double[2][rounds];
            double[][] cpu = new double[2][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < 2; k++) {
                    int p = ((r % 2) == 0) ? k : 1 - k; // ABBA
                    long start = System.nanoTime();
                    cpu[p][r] = WebPerformanceHarness.cpuPerRequest(ports[p], "/hop", requests);
                    rps[p][r] = requests * 1e9 / (System.nanoTime() - start);
                }
                System.out.printf(
                        Locale.ROOT,
                        "round %d: propagation on %.0f req/s %.1f us cpu, off %.0f req/s %.1f us cpu (%.3f, %.3f) load %s%n",
                        r + 1,
                        rps[0][r],
                        cpu[0][r],
                        rps[1][r],
                        cpu[1][r],
                        rps[0][r] / rps[1][r],
                        cpu[0][r] / cpu[1][r],
                        loadAverage());
            }
            System.out.printf(
                    Locale.ROOT,
                    "overhead %s on/off over %d pairs: throughput %s; cpu per request %s%n",
                    stack,
                    rounds,
                    ratios(rps[0], rps[1]),
                    ratios(cpu[0], cpu[1]));
        }
    }

    /**
     * @return the median and quartiles of the per-pair ratios, and of the ratios over two consecutive pairs (a
     *     whole A B B A), which cancels what the order within a pair adds (the first round of a pair is often the
     *     faster one on a loaded machine)
     */
    static String ratios(double[] on, double[] off) {
        int n = on.length;
        double[] pairs = new double[n];
        for (int r = 0; r < n; r++) {
            pairs[r] = on[r] / off[r];
        }
        double[] quads = new double[n / 2];
        for (int q = 0; q < n / 2; q++) {
            quads[q] = (on[2 * q] + on[2 * q + 1]) / (off[2 * q] + off[2 * q + 1]);
        }
        Arrays.sort(pairs);
        Arrays.sort(quads);
        return String.format(
                Locale.ROOT,
                "per pair median %.3f (quartiles %.3f..%.3f), per ABBA median %.3f (quartiles %.3f..%.3f, n=%d)",
                pairs[n / 2],
                pairs[n / 4],
                pairs[(3 * n) / 4],
                quads[quads.length / 2],
                quads[quads.length / 4],
                quads[(3 * quads.length) / 4],
                quads.length);
    }

    static void print(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        System.out.printf(
                Locale.ROOT,
                "%s n=%d min=%.1fms median=%.1fms p90=%.1fms p99=%.1fms max=%.1fms%n",
                what,
                n,
                sorted[0] / 1e6,
                sorted[n / 2] / 1e6,
                sorted[(int) (n * 0.90)] / 1e6,
                sorted[(int) Math.ceil(n * 0.99) - 1] / 1e6,
                sorted[n - 1] / 1e6);
    }

    static double millis(Duration duration) {
        return duration.toNanos() / 1e6;
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException ex) {
            return "?";
        }
    }
}
