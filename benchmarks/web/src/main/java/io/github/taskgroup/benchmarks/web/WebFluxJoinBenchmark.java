package io.github.taskgroup.benchmarks.web;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupExecutors;
import io.github.taskgroup.TaskGroupListener;
import io.github.taskgroup.reactor.TaskGroupMono;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import javax.management.NotificationEmitter;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * The WebFlux figures of docs/performance.md ("WebFlux: TaskGroupMono.join against Mono.zip on bounded-elastic"); a
 * program, not part of the test run. Usage: {@code WebFluxJoinBenchmark [pairs (6)] [requests (2000)]}, or through
 * {@link WebPerformanceHarness}: {@code webflux-join [pairs] [requests]}.
 *
 * <p>One WebFlux application on Reactor Netty with three handlers that fork the same three blocking calls (each
 * sleeps 50 ms) and answer their sum:
 * <ul>
 *   <li>{@code /join}: the request's {@link TaskGroup}, three {@code fork}s and {@code TaskGroupMono.join(group)};
 *   <li>{@code /zip}: {@code Mono.zip} of three {@code Mono.fromCallable(...).subscribeOn(Schedulers.boundedElastic())};
 *   <li>{@code /join-limited}: {@code /join} whose request groups pass a shared limit of as many calls at once as
 *       bounded-elastic has threads (10 x cores), with an unbounded queue: the same concurrency of blocking calls
 *       as {@code /zip}, to compare what a request in flight holds at equal concurrency.
 * </ul>
 * A burst is {@code requests} concurrent requests (a Reactor Netty client in the same JVM, on its own two event-loop
 * threads, with a pool of {@code requests} keep-alive connections). After two warm-up bursts of each (the join ones
 * first: no bounded-elastic worker may exist after them), {@code pairs} pairs of bursts in ABBA order, each burst
 * between two full GCs (and {@code /join-limited} against {@code /zip} in the same way), give: throughput (requests / time to the last response), allocation per request (bytes freed
 * by the collections during the burst plus the growth of the heap after it, from GC notifications: the whole JVM,
 * the client's share being the same for both), and the median per-pair ratio. Then a hold burst of each: the
 * calls wait on a latch instead of sleeping; once every request is in its handler and every call that can start
 * has started, a full GC: heap used and live platform threads with {@code requests} requests in flight, against
 * the same figures before the burst. Throughout, the names of the threads that run the join handler's tasks, its
 * continuation after the join and its group's close are recorded: a bounded-elastic one there is a failure.
 */
public final class WebFluxJoinBenchmark {

    static final int CALLS = 3;

    static final long CALL_MS = 50;

    private WebFluxJoinBenchmark() {}

    /** What the handlers did, and the latch of the hold bursts. */
    static final class Probe implements TaskGroupListener {

        final AtomicInteger entered = new AtomicInteger(); // handler invocations of the current burst

        final AtomicInteger started = new AtomicInteger(); // calls started in the current burst

        /** Threads of the join handler's tasks, continuations and group closes, digits folded to '#'. */
        final Set<String> joinThreads = ConcurrentHashMap.newKeySet();

        final AtomicInteger virtualTasks = new AtomicInteger();

        volatile CountDownLatch gate = new CountDownLatch(0); // written by the harness, read by the calls

        void record(String where) {
            Thread thread = Thread.currentThread();
            String name = thread.getName().isEmpty() ? "(unnamed virtual)" : thread.getName();
            this.joinThreads.add(where + " " + name.replaceAll("[0-9]+", "#"));
            if (where.equals("task") && TaskGroupExecutors.isVirtual(thread)) {
                this.virtualTasks.incrementAndGet();
            }
        }

        @Override
        public void groupClosed(TaskGroup group, TaskGroup.Outcome outcome, long durationNanos) {
            if (group.name().startsWith("GET /join")) {
                record("closed");
            }
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean
        Probe probe() {
            return new Probe();
        }

        @RestController
        static class Handlers {

            private final Probe probe;

            Handlers(Probe probe) {
                this.probe = probe;
            }

            /** A blocking call: 50 ms of sleep, or, in a hold burst, until the harness opens the gate. */
            int call(int value, boolean hold) throws InterruptedException {
                this.probe.started.incrementAndGet();
                if (hold) {
                    this.probe.gate.await();
                } else {
                    Thread.sleep(CALL_MS);
                }
                return value;
            }

            @GetMapping({"/join", "/join-limited"})
            Mono<String> join(TaskGroup group, @RequestParam(defaultValue = "false") boolean hold) {
                this.probe.entered.incrementAndGet();
                List<Task<Integer>> calls = new ArrayList<>(CALLS);
                for (int i = 1; i <= CALLS; i++) {
                    int value = i;
                    calls.add(group.fork("call-" + i, () -> {
                        this.probe.record("task");
                        return call(value, hold);
                    }));
                }
                return TaskGroupMono.join(group).then(Mono.fromSupplier(() -> {
                    this.probe.record("continuation");
                    int sum = 0;
                    for (Task<Integer> call : calls) {
                        sum += call.get();
                    }
                    return Integer.toString(sum);
                }));
            }

            @GetMapping("/zip")
            Mono<String> zip(@RequestParam(defaultValue = "false") boolean hold) {
                this.probe.entered.incrementAndGet();
                return Mono.zip(elastic(1, hold), elastic(2, hold), elastic(3, hold))
                        .map((t) -> Integer.toString(t.getT1() + t.getT2() + t.getT3()));
            }

            private Mono<Integer> elastic(int value, boolean hold) {
                return Mono.fromCallable(() -> call(value, hold)).subscribeOn(Schedulers.boundedElastic());
            }
        }
    }

    /** Bytes the collections freed, from GC notifications (heap pools only). */
    static final class Collections {

        final AtomicLong freed = new AtomicLong();

        final AtomicLong notified = new AtomicLong();

        final Set<String> heapPools = new TreeSet<>();

        Collections() {
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    this.heapPools.add(pool.getName());
                }
            }
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                ((NotificationEmitter) gc)
                        .addNotificationListener(
                                (notification, handback) -> {
                                    if (!notification
                                            .getType()
                                            .equals(
                                                    GarbageCollectionNotificationInfo
                                                            .GARBAGE_COLLECTION_NOTIFICATION)) {
                                        return;
                                    }
                                    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
                                            (CompositeData) notification.getUserData());
                                    long freedNow = 0;
                                    for (String pool : this.heapPools) {
                                        MemoryUsage before = info.getGcInfo()
                                                .getMemoryUsageBeforeGc()
                                                .get(pool);
                                        MemoryUsage after = info.getGcInfo()
                                                .getMemoryUsageAfterGc()
                                                .get(pool);
                                        if (before != null && after != null) {
                                            freedNow += before.getUsed() - after.getUsed();
                                        }
                                    }
                                    this.freed.addAndGet(freedNow);
                                    this.notified.incrementAndGet();
                                },
                                null,
                                null);
            }
        }

        /** A full GC, once every collection so far has been notified. */
        void fullGc() throws InterruptedException {
            System.gc();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (this.notified.get() < collections() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(5);
            }
        }

        static long collections() {
            long sum = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                sum += Math.max(0, gc.getCollectionCount());
            }
            return sum;
        }
    }

    record Burst(double requestsPerSecond, double bytesPerRequest, double threadBytesPerRequest) {}

    record Hold(double heapBytesPerRequest, int platformThreads, long rssKbPerRequest, int started) {}

    public static void main(String[] args) throws Exception {
        int pairs = (args.length > 0) ? Integer.parseInt(args[0]) : 6;
        int requests = (args.length > 1) ? Integer.parseInt(args[1]) : 2000;
        if (pairs < 1 || requests < 1) {
            throw new IllegalArgumentException(
                    "pairs and requests must be positive, but were " + pairs + " and " + requests);
        }
        String[] properties = {
            "server.port=0",
            "spring.main.web-application-type=reactive",
            "spring.autoconfigure.exclude="
                    + "org.springframework.boot.tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration,"
                    + "org.springframework.boot.jetty.autoconfigure.reactive.JettyReactiveWebServerAutoConfiguration",
            "logging.level.root=WARN",
            "taskgroup.limits.calls.max-concurrency=" + Schedulers.DEFAULT_BOUNDED_ELASTIC_SIZE,
            "taskgroup.groups.[GET /join-limited].limit=calls",
            "spring.main.banner-mode=off"
        };
        Collections collections = new Collections();
        try (ConfigurableApplicationContext context =
                new SpringApplicationBuilder(App.class).properties(properties).run()) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            Probe probe = context.getBean(Probe.class);
            LoopResources loops = LoopResources.create("bench-client", 2, true);
            ConnectionProvider pool = ConnectionProvider.builder("bench")
                    .maxConnections(requests)
                    .pendingAcquireMaxCount(-1)
                    .pendingAcquireTimeout(Duration.ofMinutes(5))
                    .build();
            HttpClient client = HttpClient.create(pool).runOn(loops).baseUrl("http://127.0.0.1:" + port);
            System.out.printf(
                    Locale.ROOT,
                    "java=%s cores=%d executor=%s bounded-elastic cap=%d requests=%d calls=%dx%dms heap max=%dMB%n",
                    System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors(),
                    context.getEnvironment().getProperty("taskgroup.executor.mode", "(default)") + " virtual-threads="
                            + context.getEnvironment().getProperty("spring.threads.virtual.enabled", "false"),
                    Schedulers.DEFAULT_BOUNDED_ELASTIC_SIZE,
                    requests,
                    CALLS,
                    CALL_MS,
                    Runtime.getRuntime().maxMemory() >> 20);

            for (int i = 0; i < 2; i++) {
                Burst warm = burst(client, collections, probe, "/join", requests);
                System.out.printf(Locale.ROOT, "warm-up join %.0f req/s%n", warm.requestsPerSecond());
            }
            long workersAfterJoin = boundedElasticWorkers();
            System.out.printf(
                    Locale.ROOT,
                    "bounded-elastic workers alive after the join warm-up: %d; join threads: %s; virtual tasks: %d%n",
                    workersAfterJoin,
                    probe.joinThreads,
                    probe.virtualTasks.get());
            for (int i = 0; i < 2; i++) {
                Burst warm = burst(client, collections, probe, "/zip", requests);
                System.out.printf(Locale.ROOT, "warm-up zip  %.0f req/s%n", warm.requestsPerSecond());
            }

            for (int i = 0; i < 2; i++) {
                Burst warm = burst(client, collections, probe, "/join-limited", requests);
                System.out.printf(Locale.ROOT, "warm-up join-limited %.0f req/s%n", warm.requestsPerSecond());
            }

            String[] paths = {"/join", "/zip", "/join-limited"};
            Burst[][] bursts = new Burst[3][pairs];
            double[] ratios = new double[pairs];
            double[] limitedRatios = new double[pairs];
            for (int r = 0; r < pairs; r++) {
                // ABBA over rounds: join, zip, limited, then limited, zip, join.
                for (int k = 0; k < 3; k++) {
                    int p = ((r % 2) == 0) ? k : 2 - k;
                    bursts[p][r] = burst(client, collections, probe, paths[p], requests);
                }
                ratios[r] = bursts[0][r].requestsPerSecond() / bursts[1][r].requestsPerSecond();
                limitedRatios[r] = bursts[2][r].requestsPerSecond() / bursts[1][r].requestsPerSecond();
                System.out.printf(
                        Locale.ROOT,
                        "pair %d: join %.0f req/s %.1f KB/req, zip %.0f req/s %.1f KB/req (throughput ratio %.2f)%n",
                        r + 1,
                        bursts[0][r].requestsPerSecond(),
                        bursts[0][r].bytesPerRequest() / 1024,
                        bursts[1][r].requestsPerSecond(),
                        bursts[1][r].bytesPerRequest() / 1024,
                        ratios[r]);
                System.out.printf(
                        Locale.ROOT,
                        "        join-limited %.0f req/s %.1f KB/req (throughput ratio to zip %.2f)%n",
                        bursts[2][r].requestsPerSecond(),
                        bursts[2][r].bytesPerRequest() / 1024,
                        limitedRatios[r]);
            }
            Hold joinHold = hold(client, collections, probe, "/join", requests, CALLS * requests);
            Hold zipHold = hold(
                    client,
                    collections,
                    probe,
                    "/zip",
                    requests,
                    Math.min(CALLS * requests, Schedulers.DEFAULT_BOUNDED_ELASTIC_SIZE));
            Hold limitedHold = hold(
                    client,
                    collections,
                    probe,
                    "/join-limited",
                    requests,
                    Math.min(CALLS * requests, Schedulers.DEFAULT_BOUNDED_ELASTIC_SIZE));
            long elasticInJoin = probe.joinThreads.stream()
                    .filter((name) -> name.contains("boundedElastic"))
                    .count();

            System.out.printf(
                    Locale.ROOT,
                    "throughput (median of %d pairs): join %.0f req/s, zip %.0f req/s, join/zip per pair %.2f%n",
                    pairs,
                    median(bursts[0], Burst::requestsPerSecond),
                    median(bursts[1], Burst::requestsPerSecond),
                    median(ratios));
            System.out.printf(
                    Locale.ROOT,
                    "allocated per request (GC accounting, whole JVM): join %.1f KB, zip %.1f KB%s%n",
                    median(bursts[0], Burst::bytesPerRequest) / 1024,
                    median(bursts[1], Burst::bytesPerRequest) / 1024,
                    (bursts[0][0].threadBytesPerRequest() >= 0)
                            ? String.format(
                                    Locale.ROOT,
                                    " (ThreadMXBean total: join %.1f KB, zip %.1f KB)",
                                    median(bursts[0], Burst::threadBytesPerRequest) / 1024,
                                    median(bursts[1], Burst::threadBytesPerRequest) / 1024)
                            : "");
            System.out.printf(
                    Locale.ROOT,
                    "%d requests in flight: join %.1f KB heap/request, %d more platform threads, RSS +%d KB/request "
                            + "(%d calls running); zip %.1f KB heap/request, %d more platform threads, RSS +%d KB/request "
                            + "(%d calls running, the rest queued)%n",
                    requests,
                    joinHold.heapBytesPerRequest() / 1024,
                    joinHold.platformThreads(),
                    joinHold.rssKbPerRequest(),
                    joinHold.started(),
                    zipHold.heapBytesPerRequest() / 1024,
                    zipHold.platformThreads(),
                    zipHold.rssKbPerRequest(),
                    zipHold.started());
            System.out.printf(
                    Locale.ROOT,
                    "join-limited: throughput median %.0f req/s, join-limited/zip per pair %.2f; allocated %.1f KB/request;"
                            + " %.1f KB heap/request in flight, %d more platform threads, RSS +%d KB/request"
                            + " (%d calls running, the rest queued)%n",
                    median(bursts[2], Burst::requestsPerSecond),
                    median(limitedRatios),
                    median(bursts[2], Burst::bytesPerRequest) / 1024,
                    limitedHold.heapBytesPerRequest() / 1024,
                    limitedHold.platformThreads(),
                    limitedHold.rssKbPerRequest(),
                    limitedHold.started());
            System.out.printf(
                    Locale.ROOT,
                    "bounded-elastic threads used by the join handler (tasks, continuation, group close): %d %s%n",
                    elasticInJoin,
                    new TreeSet<>(probe.joinThreads));
            pool.disposeLater().block(Duration.ofSeconds(10));
            loops.disposeLater().block(Duration.ofSeconds(10));
            if (workersAfterJoin != 0 || elasticInJoin != 0) {
                System.out.println("FAILED: the join handler used a bounded-elastic thread");
                System.exit(1);
            }
        }
        System.exit(0);
    }

    /** {@code requests} concurrent requests to {@code path}, between two full GCs. */
    static Burst burst(HttpClient client, Collections collections, Probe probe, String path, int requests)
            throws Exception {
        collections.fullGc();
        long freed0 = collections.freed.get();
        long heap0 = heapUsed();
        long threadBytes0 = totalThreadAllocatedBytes();
        probe.entered.set(0);
        probe.started.set(0);
        long start = System.nanoTime();
        long ok = requests(client, path, requests).block(Duration.ofMinutes(10));
        long elapsed = System.nanoTime() - start;
        if (ok != requests) {
            throw new IllegalStateException(path + ": " + ok + " of " + requests + " answered 200 with the right sum");
        }
        long threadBytes = totalThreadAllocatedBytes();
        collections.fullGc();
        long allocated = (collections.freed.get() - freed0) + (heapUsed() - heap0);
        return new Burst(
                requests * 1e9 / elapsed,
                (double) allocated / requests,
                (threadBytes0 >= 0) ? (double) (threadBytes - threadBytes0) / requests : -1);
    }

    /** {@code requests} requests whose calls wait on the gate: what they hold once all are in flight. */
    static Hold hold(HttpClient client, Collections collections, Probe probe, String path, int requests, int calls)
            throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        collections.fullGc();
        long heap0 = heapUsed();
        Map<String, long[]> histogram0 = HISTOGRAMS ? classHistogram() : null;
        int threads0 = threads.getThreadCount();
        long rss0 = rssKb();
        probe.entered.set(0);
        probe.started.set(0);
        probe.gate = new CountDownLatch(1);
        CompletableFuture<Long> answered =
                requests(client, path + "?hold=true", requests).toFuture();
        waitFor(() -> probe.entered.get() == requests && probe.started.get() == calls);
        collections.fullGc();
        long heap = heapUsed() - heap0;
        int platformThreads = threads.getThreadCount() - threads0;
        long rss = rssKb() - rss0;
        int started = probe.started.get();
        if (histogram0 != null) {
            printGrowth(path, histogram0, classHistogram(), requests);
        }
        probe.gate.countDown();
        long ok = answered.get(10, TimeUnit.MINUTES);
        if (ok != requests) {
            throw new IllegalStateException(path + " (hold): " + ok + " of " + requests + " answered");
        }
        return new Hold((double) heap / requests, platformThreads, rss / requests, started);
    }

    /** {@code -Dbench.histograms=true}: what each hold burst holds, class by class (a heap histogram diff). */
    static final boolean HISTOGRAMS = Boolean.getBoolean("bench.histograms");

    /** Class name to {instances, bytes}, from the DiagnosticCommand MBean ({@code jcmd GC.class_histogram}). */
    static Map<String, long[]> classHistogram() throws Exception {
        String text = (String) ManagementFactory.getPlatformMBeanServer()
                .invoke(
                        new ObjectName("com.sun.management:type=DiagnosticCommand"),
                        "gcClassHistogram",
                        new Object[] {new String[0]},
                        new String[] {String[].class.getName()});
        Map<String, long[]> classes = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] cells = line.trim().split("\\s+");
            if (cells.length >= 4 && cells[0].endsWith(":")) {
                classes.put(cells[3], new long[] {Long.parseLong(cells[1]), Long.parseLong(cells[2])});
            }
        }
        return classes;
    }

    /** Prints the classes whose footprint grew the most, per request in flight. */
    static void printGrowth(String path, Map<String, long[]> before, Map<String, long[]> after, int requests) {
        List<Map.Entry<String, long[]>> growth = new ArrayList<>();
        after.forEach((name, counts) -> {
            long[] was = before.getOrDefault(name, new long[2]);
            growth.add(Map.entry(name, new long[] {counts[0] - was[0], counts[1] - was[1]}));
        });
        growth.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
        long total = growth.stream().mapToLong((e) -> e.getValue()[1]).sum();
        System.out.printf(
                Locale.ROOT,
                "%s (hold): %.0f B per request in the histogram diff; largest:%n",
                path,
                (double) total / requests);
        for (Map.Entry<String, long[]> entry : growth.subList(0, Math.min(25, growth.size()))) {
            System.out.printf(
                    Locale.ROOT,
                    "  %8.1f B %6.2f objects  %s%n",
                    (double) entry.getValue()[1] / requests,
                    (double) entry.getValue()[0] / requests,
                    entry.getKey());
        }
    }

    static Mono<Long> requests(HttpClient client, String path, int requests) {
        return Flux.range(0, requests)
                .flatMap(
                        (i) -> client.get()
                                .uri(path)
                                .responseSingle((response, body) -> body.asString()
                                        .map((text) -> (response.status().code() == 200 && text.equals("6")) ? 1 : 0)),
                        requests)
                .filter((answered) -> answered == 1)
                .count();
    }

    static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** @return {@code getTotalThreadAllocatedBytes()} (JDK 21+: every thread, ended ones too), or -1 */
    static long totalThreadAllocatedBytes() {
        try {
            Method total = com.sun.management.ThreadMXBean.class.getMethod("getTotalThreadAllocatedBytes");
            return (long) total.invoke(ManagementFactory.getThreadMXBean());
        } catch (ReflectiveOperationException ex) {
            return -1;
        }
    }

    static long boundedElasticWorkers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter((thread) -> thread.getName().matches("boundedElastic-[0-9]+"))
                .count();
    }

    /** @return the resident set size of this process ({@code VmRSS} of {@code /proc/self/status}), 0 if unknown */
    static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException ex) {
            // not Linux
        }
        return 0;
    }

    static double median(Burst[] bursts, java.util.function.ToDoubleFunction<Burst> figure) {
        return median(Arrays.stream(bursts).mapToDouble(figure).toArray());
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return ((n % 2) == 1) ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out");
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }
}
