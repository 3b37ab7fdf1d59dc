package io.github.taskgroup.benchmarks.web;

import com.sun.management.OperatingSystemMXBean;
import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupListener;
import io.github.taskgroup.autoconfigure.web.RawHttp;
import io.github.taskgroup.autoconfigure.web.RawHttp2;
import io.github.taskgroup.autoconfigure.web.TaskRecorder;
import io.github.taskgroup.autoconfigure.web.servlet.ServletTestApp;
import io.github.taskgroup.web.RequestTaskGroupRegistry;
import io.github.taskgroup.web.servlet.DisconnectProbeScheduler;
import java.io.File;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The request-group figures of docs/performance.md, on a real server over loopback; not part of the test run. Usage:
 * {@code WebPerformanceHarness <tomcat|jetty|webflux> <auto|proc|tomcat> <latency|cost|throughput|cpu|h2-reset|h2-close>
 * [count]} ({@code webflux}: Reactor Netty, {@code h2-*} modes only), or {@code webflux-join [pairs] [requests]}
 * for {@link WebFluxJoinBenchmark}, or {@code chain <tomcat|jetty|webflux> <hangup|deadline|overhead> [n]} for
 * {@link ChainHarness} (three applications A -> B -> C in this JVM), or {@code chain-parts [blocks]} for
 * {@link PropagationCost}.
 * <ul>
 *   <li>latency: a request whose one task sleeps until interrupted; the client closes (FIN) at a random
 *       point of the probe's cycle once the request is registered; time from the close to the task's
 *       cancellation (request-aborted). latency-early: the client closes as soon as the task runs, before the
 *       request is registered.</li>
 *   <li>cost: {@code count} (1000) concurrent in-flight {@code DeferredResult} requests with an open group;
 *       CPU time of the probe thread (ThreadMXBean, user + system) over 10 s of wall time.</li>
 *   <li>throughput: the same handler (fork two trivial tasks, join) with the request's group and with a plain
 *       {@code factory.run} group; 8 keep-alive clients; {@code count} (20) pairs of 1.5 s rounds in ABBA order
 *       after 18 s of warm-up; the median of the per-pair ratios.</li>
 *   <li>cpu: the same handlers and a handler without a group, {@code count} (20) rounds of 4,000 requests each;
 *       process CPU time and context switches (machine-wide and by thread) per request.</li>
 *   <li>h2-reset: HTTP/2 (h2c, prior knowledge, the server with {@code server.http2.enabled=true}); a request
 *       whose one task sleeps until interrupted; once it runs (and, on a servlet container, once the scheduler
 *       watches it) the client resets its stream (RST_STREAM) at a random point of the probe's cycle; time from
 *       the reset to the task's cancellation (request-aborted). The connection stays open. h2-close: the same,
 *       the client closes the connection (FIN) instead.</li>
 * </ul>
 */
public final class WebPerformanceHarness {

    private WebPerformanceHarness() {}

    /** Records when request-aborted cancellations happen. */
    static final class AbortClock implements TaskGroupListener {

        final ConcurrentLinkedQueue<Long> aborted = new ConcurrentLinkedQueue<>();

        @Override
        public void taskFinished(Task<?> task, long runNanos) {
            if (task.cancellationReason() == CancellationReason.REQUEST_ABORTED) {
                this.aborted.add(System.nanoTime());
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class HarnessConfig {

        @Bean
        AbortClock abortClock() {
            return new AbortClock();
        }

        @RestController
        static class ThroughputController {

            private final TaskGroupFactory factory;

            ThroughputController(TaskGroupFactory factory) {
                this.factory = factory;
            }

            static int work(TaskGroup group) throws InterruptedException {
                Task<Integer> a = group.fork(() -> 20);
                Task<Integer> b = group.fork(() -> 22);
                group.join();
                return a.get() + b.get();
            }

            @GetMapping("/perf/request-group")
            String requestGroup(TaskGroup group) throws InterruptedException {
                return Integer.toString(work(group));
            }

            @GetMapping("/perf/no-group")
            String noGroup() {
                return "42";
            }

            @GetMapping("/perf/plain-group")
            String plainGroup() throws InterruptedException {
                return Integer.toString(this.factory.run("plain", ThroughputController::work));
            }
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("webflux-join")) {
            WebFluxJoinBenchmark.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("chain-parts")) {
            PropagationCost.main(Arrays.copyOfRange(args, 1, args.length));
            System.exit(0);
        }
        if (args.length > 0 && args[0].equals("chain")) {
            ChainHarness.main(Arrays.copyOfRange(args, 1, args.length));
            System.exit(0);
        }
        String server = args[0];
        String strategy = args[1];
        String mode = args[2];
        int count = (args.length > 3) ? Integer.parseInt(args[3]) : 0;
        boolean reactive = server.equals("webflux");
        boolean http2 = mode.startsWith("h2-");
        if (reactive && !http2) {
            throw new IllegalArgumentException("webflux runs the h2-* modes only");
        }
        List<String> properties = new ArrayList<>(List.of(
                "server.port=0",
                "spring.main.web-application-type=" + (reactive ? "reactive" : "servlet"),
                "spring.mvc.async.request-timeout=600s",
                "taskgroup.web.detection.strategy=" + strategy,
                "logging.level.root=WARN",
                "spring.main.banner-mode=off",
                "server.tomcat.threads.max=50",
                "server.http2.enabled=" + http2));
        properties.add(
                "spring.autoconfigure.exclude="
                        + (reactive
                                ? "org.springframework.boot.tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration,"
                                        + "org.springframework.boot.jetty.autoconfigure.reactive.JettyReactiveWebServerAutoConfiguration"
                                : server.equals("jetty")
                                        ? "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration"
                                        : "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration"));
        SpringApplicationBuilder application = reactive
                ? new SpringApplicationBuilder(ReactiveHarnessApp.class)
                : new SpringApplicationBuilder(ServletTestApp.class, HarnessConfig.class);
        try (ConfigurableApplicationContext context =
                application.properties(properties.toArray(String[]::new)).run()) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            DisconnectProbeScheduler scheduler =
                    context.getBeanProvider(DisconnectProbeScheduler.class).getIfAvailable();
            System.out.printf(
                    Locale.ROOT,
                    "server=%s probe=%s interval=50ms java=%s cores=%d%n",
                    ((WebServerApplicationContext) context)
                            .getWebServer()
                            .getClass()
                            .getSimpleName(),
                    (scheduler != null) ? scheduler.getProbe().name() : "reactor-netty",
                    System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors());
            switch (mode) {
                case "latency" -> latency(context, port, (count > 0) ? count : 200, false);
                case "latency-early" -> latency(context, port, (count > 0) ? count : 200, true);
                case "h2-reset" -> latencyHttp2(context, port, (count > 0) ? count : 200, false);
                case "h2-close" -> latencyHttp2(context, port, (count > 0) ? count : 200, true);
                case "cost" -> cost(context, port, (count > 0) ? count : 1000);
                case "throughput" -> throughput(port, (count > 0) ? count : 20);
                case "cpu" -> cpu(scheduler, port, (count > 0) ? count : 20);
                case "request-group", "plain-group" -> { // one path only, for a profiler
                    run(port, "/perf/" + mode, 10_000);
                    System.out.printf(
                            Locale.ROOT,
                            "%s %.0f req/s%n",
                            mode,
                            run(port, "/perf/" + mode, TimeUnit.SECONDS.toMillis((count > 0) ? count : 15)));
                }
                default -> throw new IllegalArgumentException(mode);
            }
        }
        System.exit(0);
    }

    /**
     * HTTP/2: the time from a stream reset (or the connection's close) to the cancellation of the request's
     * task, over h2c with prior knowledge, a new connection per request.
     */
    static void latencyHttp2(ConfigurableApplicationContext context, int port, int iterations, boolean close)
            throws Exception {
        TaskRecorder recorder = context.getBean(TaskRecorder.class);
        AbortClock clock = context.getBean(AbortClock.class);
        DisconnectProbeScheduler scheduler =
                context.getBeanProvider(DisconnectProbeScheduler.class).getIfAvailable();
        RequestTaskGroupRegistry registry = context.getBean(RequestTaskGroupRegistry.class);
        Random random = new Random(42);
        String group = "GET /blocking";
        long[] latencies = new long[iterations];
        int warmup = 20;
        for (int i = -warmup; i < iterations; i++) {
            clock.aborted.clear();
            RawHttp2 client = RawHttp2.connect(port, false);
            int stream = client.get("/blocking?n=1");
            waitFor(() -> recorder.running(group) == 1);
            if (scheduler != null) { // the request is watched from its first tick an eighth of an interval old
                long ticks = scheduler.ticks();
                waitFor(() -> scheduler.ticks() >= ticks + 3);
            }
            TimeUnit.MICROSECONDS.sleep(random.nextInt(50_000)); // a random point of the probe's cycle
            long resetAt = System.nanoTime();
            if (close) {
                client.closeWithFin();
            } else {
                client.reset(stream);
            }
            waitFor(() -> !clock.aborted.isEmpty());
            long latency = clock.aborted.peek() - resetAt;
            client.close();
            waitFor(() -> registry.size() == 0 && recorder.activeTaskThreads.isEmpty());
            if (i >= 0) {
                latencies[i] = latency;
            }
        }
        Arrays.sort(latencies);
        System.out.printf(
                Locale.ROOT,
                "h2 %-5s blocking n=%d min=%.1fms median=%.1fms p90=%.1fms p99=%.1fms max=%.1fms%n",
                close ? "close" : "reset",
                iterations,
                ms(latencies[0]),
                ms(latencies[iterations / 2]),
                ms(latencies[(int) (iterations * 0.90)]),
                ms(latencies[(int) Math.ceil(iterations * 0.99) - 1]),
                ms(latencies[iterations - 1]));
    }

    static void latency(ConfigurableApplicationContext context, int port, int iterations, boolean early)
            throws Exception {
        TaskRecorder recorder = context.getBean(TaskRecorder.class);
        AbortClock clock = context.getBean(AbortClock.class);
        DisconnectProbeScheduler scheduler = context.getBean(DisconnectProbeScheduler.class);
        RequestTaskGroupRegistry registry = context.getBean(RequestTaskGroupRegistry.class);
        Random random = new Random(42);
        for (String endpoint : List.of("blocking", "deferred")) {
            String group = "GET /" + endpoint;
            long[] latencies = new long[iterations];
            int warmup = 20;
            for (int i = -warmup; i < iterations; i++) {
                clock.aborted.clear();
                if (early) { // the previous abort came at a tick: open the next at a random point of the cycle
                    TimeUnit.MICROSECONDS.sleep(random.nextInt(50_000));
                }
                RawHttp client = new RawHttp(port).send(RawHttp.get("/" + endpoint + "?n=1"));
                waitFor(() -> recorder.running(group) == 1);
                if (!early) { // else close at once: before the request is registered
                    long ticks = scheduler.ticks();
                    waitFor(() -> scheduler.ticks() >= ticks + 3);
                    // Close at a random point of the probe's cycle.
                    TimeUnit.MICROSECONDS.sleep(random.nextInt(50_000));
                }
                long closedAt = System.nanoTime();
                client.closeWithFin();
                waitFor(() -> !clock.aborted.isEmpty());
                long latency = clock.aborted.peek() - closedAt;
                waitFor(() -> registry.size() == 0 && recorder.activeTaskThreads.isEmpty());
                if (i >= 0) {
                    latencies[i] = latency;
                }
            }
            Arrays.sort(latencies);
            System.out.printf(
                    Locale.ROOT,
                    "latency %-8s %s n=%d min=%.1fms median=%.1fms p90=%.1fms p99=%.1fms max=%.1fms%n",
                    endpoint,
                    early ? "early" : "settled",
                    iterations,
                    ms(latencies[0]),
                    ms(latencies[iterations / 2]),
                    ms(latencies[(int) (iterations * 0.90)]),
                    ms(latencies[(int) Math.ceil(iterations * 0.99) - 1]),
                    ms(latencies[iterations - 1]));
        }
    }

    static void cost(ConfigurableApplicationContext context, int port, int requests) throws Exception {
        TaskRecorder recorder = context.getBean(TaskRecorder.class);
        DisconnectProbeScheduler scheduler = context.getBean(DisconnectProbeScheduler.class);
        RequestTaskGroupRegistry registry = context.getBean(RequestTaskGroupRegistry.class);
        List<RawHttp> clients = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            clients.add(new RawHttp(port).send(RawHttp.get("/deferred?n=1")));
        }
        try {
            waitFor(() -> scheduler.watchedCount() == requests);
        } catch (IllegalStateException ex) {
            System.out.printf(
                    "running=%d watched=%d registry=%d%n",
                    recorder.running("GET /deferred"), scheduler.watchedCount(), registry.size());
            throw ex;
        }
        Thread probe = Thread.getAllStackTraces().keySet().stream()
                .filter((t) -> t.getName().equals("taskgroup-disconnect-probe"))
                .findFirst()
                .orElseThrow();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        TimeUnit.SECONDS.sleep(2); // settle
        long cpu0 = threads.getThreadCpuTime(probe.getId());
        long user0 = threads.getThreadUserTime(probe.getId());
        long ticks0 = scheduler.ticks();
        long wall0 = System.nanoTime();
        TimeUnit.SECONDS.sleep(10);
        long cpu = threads.getThreadCpuTime(probe.getId()) - cpu0;
        long user = threads.getThreadUserTime(probe.getId()) - user0;
        long ticks = scheduler.ticks() - ticks0;
        long wall = System.nanoTime() - wall0;
        System.out.printf(
                Locale.ROOT,
                "cost in-flight=%d watched=%d ticks=%d cpu=%.1fms (user %.1fms) over %.1fs = %.2f%% of one core, "
                        + "%.0fus per tick%n",
                requests,
                scheduler.watchedCount(),
                ticks,
                ms(cpu),
                ms(user),
                wall / 1e9,
                100.0 * cpu / wall,
                cpu / 1e3 / Math.max(1, ticks));
        if (scheduler.watchedCount() != requests) {
            System.out.println("WARNING: false positives: some requests were aborted while their clients were there");
        }
        for (RawHttp client : clients) {
            client.closeWithRst();
        }
        waitFor(() -> registry.size() == 0);
    }

    static void throughput(int port, int rounds) throws Exception {
        String[] paths = {"/perf/request-group", "/perf/plain-group"};
        for (int i = 0; i < 3; i++) {
            for (String path : paths) {
                run(port, path, 3_000); // warm-up: both paths compiled before anything counts
            }
        }
        // Short rounds in pairs (ABBA order), the ratio taken within each pair: load from elsewhere on the
        // machine drifts slowly and mostly cancels out of a pair.
        double[] ratios = new double[rounds];
        double sumRg = 0;
        double sumPlain = 0;
        for (int r = 0; r < rounds; r++) {
            double[] rps = new double[2];
            for (int k = 0; k < 2; k++) {
                int p = ((r % 2) == 0) ? k : 1 - k;
                rps[p] = run(port, paths[p], 1_500);
            }
            ratios[r] = rps[0] / rps[1];
            sumRg += rps[0];
            sumPlain += rps[1];
            System.out.printf(
                    Locale.ROOT,
                    "round %d: request-group %.0f req/s, plain-group %.0f req/s (%.3f)%n",
                    r + 1,
                    rps[0],
                    rps[1],
                    ratios[r]);
        }
        double median = median(ratios);
        double[] sorted = ratios.clone();
        Arrays.sort(sorted);
        System.out.printf(
                Locale.ROOT,
                "throughput request-group/plain-group over %d pairs: median ratio %.3f (loss %.1f%%), "
                        + "quartiles %.3f..%.3f, totals %.0f vs %.0f req/s (loss %.1f%%)%n",
                rounds,
                median,
                100 * (1 - median),
                sorted[rounds / 4],
                sorted[(3 * rounds) / 4],
                sumRg / rounds,
                sumPlain / rounds,
                100 * (1 - sumRg / sumPlain));
    }

    /**
     * CPU time of the whole process per request (server and client, the client's share being the same for
     * every path), ABBA over request-group and plain-group, with no-group as the floor: less sensitive to
     * load from elsewhere than requests per second.
     */
    static void cpu(DisconnectProbeScheduler scheduler, int port, int rounds) throws Exception {
        String[] paths = {"/perf/request-group", "/perf/plain-group", "/perf/no-group"};
        for (int i = 0; i < 3; i++) {
            for (String path : paths) {
                run(port, path, 3_000);
            }
        }
        double[][] perRequest = new double[3][rounds];
        double[][] switches = new double[3][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < 3; k++) {
                int p = ((r % 2) == 0) ? k : 2 - k;
                long ctxt0 = contextSwitches();
                Map<String, Long> byThread0 = switchesByThread();
                long checks0 = scheduler.checks();
                long[] gc0 = gcCountAndMillis();
                Map<Long, Long> cpu0 = cpuByThread();
                long process0 = processCpu();
                perRequest[p][r] = cpuPerRequest(port, paths[p], 4_000);
                switches[p][r] = (contextSwitches() - ctxt0) / 4_000.0;
                Map<String, Long> byThread = switchesByThread();
                Map<String, String> shown = new TreeMap<>();
                byThread.forEach((name, n) -> {
                    long d = n - byThread0.getOrDefault(name, 0L);
                    if (d > 40) {
                        shown.put(name, String.format(Locale.ROOT, "%.2f", d / 4000.0));
                    }
                });
                long[] gc = gcCountAndMillis();
                long processCpu = processCpu() - process0;
                Map<String, Long> cpuByClass = new TreeMap<>();
                ThreadMXBean mx = ManagementFactory.getThreadMXBean();
                cpuByThread().forEach((id, nanos) -> {
                    Long before = cpu0.get(id);
                    java.lang.management.ThreadInfo info = mx.getThreadInfo(id);
                    if (before != null && info != null) {
                        cpuByClass.merge(info.getThreadName().replaceAll("[0-9]+", "#"), nanos - before, Long::sum);
                    }
                });
                long known =
                        cpuByClass.values().stream().mapToLong(Long::longValue).sum();
                cpuByClass.put("(ended threads, GC, JIT)", processCpu - known);
                Map<String, String> cpuShown = new TreeMap<>();
                cpuByClass.forEach((name, nanos) -> {
                    if (nanos > 4_000 * 2_000L) {
                        cpuShown.put(name, String.format(Locale.ROOT, "%.0f", nanos / 1e3 / 4_000));
                    }
                });
                System.out.printf(Locale.ROOT, "  %s cpu us per request by thread: %s%n", paths[p], cpuShown);
                System.out.printf(
                        Locale.ROOT,
                        "  %s context switches per request by thread: %s; checks %d; gc %d collections, %d ms%n",
                        paths[p],
                        shown,
                        scheduler.checks() - checks0,
                        gc[0] - gc0[0],
                        gc[1] - gc0[1]);
            }
            System.out.printf(
                    Locale.ROOT,
                    "round %d: request-group %.1f us, plain-group %.1f us, no-group %.1f us; context switches "
                            + "%.2f, %.2f, %.2f%n",
                    r + 1,
                    perRequest[0][r],
                    perRequest[1][r],
                    perRequest[2][r],
                    switches[0][r],
                    switches[1][r],
                    switches[2][r]);
        }
        double[] diffs = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            diffs[r] = perRequest[0][r] - perRequest[1][r];
        }
        System.out.printf(
                Locale.ROOT,
                "cpu per request (median of %d): request-group %.1f us, plain-group %.1f us, no-group %.1f us; "
                        + "request-group minus plain-group per pair: median %.1f us (%.1f %% of plain)%n",
                rounds,
                median(perRequest[0]),
                median(perRequest[1]),
                median(perRequest[2]),
                median(diffs),
                100 * median(diffs) / median(perRequest[1]));
    }

    /** @return the machine's context switches so far ({@code ctxt} of {@code /proc/stat}), 0 if unknown */
    static long contextSwitches() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("ctxt ")) {
                    return Long.parseLong(line.substring(5).trim());
                }
            }
        } catch (IOException ex) {
            // not Linux
        }
        return 0;
    }

    static Map<Long, Long> cpuByThread() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<Long, Long> cpu = new HashMap<>();
        for (long id : mx.getAllThreadIds()) {
            long nanos = mx.getThreadCpuTime(id);
            if (nanos >= 0) {
                cpu.put(id, nanos);
            }
        }
        return cpu;
    }

    static long processCpu() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** @return collections so far and the milliseconds they took, all collectors together */
    static long[] gcCountAndMillis() {
        long[] sums = new long[2];
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sums[0] += Math.max(0, gc.getCollectionCount());
            sums[1] += Math.max(0, gc.getCollectionTime());
        }
        return sums;
    }

    /** @return voluntary + involuntary context switches of this process's threads, summed by name class */
    static Map<String, Long> switchesByThread() {
        Map<String, Long> sums = new HashMap<>();
        File[] tasks = new File("/proc/self/task").listFiles();
        if (tasks == null) {
            return sums;
        }
        for (File task : tasks) {
            try {
                String name =
                        Files.readString(task.toPath().resolve("comm")).trim().replaceAll("[0-9]+", "#");
                long n = 0;
                for (String line : Files.readAllLines(task.toPath().resolve("status"))) {
                    if (line.contains("ctxt_switches:")) {
                        n += Long.parseLong(
                                line.substring(line.indexOf(':') + 1).trim());
                    }
                }
                sums.merge(name, n, Long::sum);
            } catch (IOException | RuntimeException ex) {
                // the thread ended
            }
        }
        return sums;
    }

    static double cpuPerRequest(int port, String path, int requests) throws Exception {
        int clients = 8;
        AtomicLong left = new AtomicLong(requests);
        CountDownLatch finished = new CountDownLatch(clients);
        String request = RawHttp.get(path);
        long cpu0 = processCpu();
        for (int c = 0; c < clients; c++) {
            new Thread(() -> {
                        try {
                            while (left.get() > 0) {
                                try (RawHttp client = new RawHttp(port)) {
                                    for (int i = 0; i < 100 && left.getAndDecrement() > 0; i++) {
                                        client.send(request);
                                        if (client.read().status() != 200) {
                                            throw new IllegalStateException("not 200");
                                        }
                                    }
                                }
                            }
                        } catch (Exception ex) {
                            ex.printStackTrace();
                        } finally {
                            finished.countDown();
                        }
                    })
                    .start();
        }
        finished.await();
        return (processCpu() - cpu0) / 1e3 / requests;
    }

    static double run(int port, String path, long millis) throws Exception {
        int clients = 8;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        CountDownLatch finished = new CountDownLatch(clients);
        String request = RawHttp.get(path);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread thread = new Thread(() -> {
                try {
                    // Keep-alive connections: Tomcat closes one after max-keep-alive-requests (100), then the
                    // client opens the next, as a browser or a pooled HTTP client would.
                    while (!stop.get()) {
                        try (RawHttp client = new RawHttp(port)) {
                            for (int i = 0; i < 100 && !stop.get(); i++) {
                                client.send(request);
                                if (client.read().status() != 200) {
                                    throw new IllegalStateException("not 200");
                                }
                                done.incrementAndGet();
                            }
                        }
                    }
                } catch (Exception ex) {
                    ex.printStackTrace();
                } finally {
                    finished.countDown();
                }
            });
            threads.add(thread);
            thread.start();
        }
        long start = System.nanoTime();
        TimeUnit.MILLISECONDS.sleep(millis);
        long count = done.get();
        long elapsed = System.nanoTime() - start;
        stop.set(true);
        finished.await();
        return count * 1e9 / elapsed;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out");
            }
            TimeUnit.MICROSECONDS.sleep(200);
        }
    }
}
