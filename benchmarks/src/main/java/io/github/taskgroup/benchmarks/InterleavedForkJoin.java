package io.github.taskgroup.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * A companion to {@link ForkJoinBenchmark} for a noisy, shared machine: instead of measuring each
 * implementation for seconds at a time (so that a neighbour's build can land on one line and not on
 * another), it runs every implementation for a short slice (default 25 ms), in a shuffled order, round
 * after round, in one JVM, and reports the median of each implementation's slices and the median of its
 * per-round ratio to raw virtual threads measured in the same round. The benchmark bodies are exactly
 * the JMH ones. Usage: {@code InterleavedForkJoin [--n 1,10,100,1000] [--rounds 60] [--slice-ms 25]
 * [--warmup-rounds 15] [--impls a,b] [--compare a:b,c:d] [--clock wall|thread|threads] [--jfc settings.jfc]
 * [--out file.md]}. With {@code --clock thread} or {@code threads} the figures are CPU time per group, not
 * elapsed time (see {@link Clock}): on a machine shared with other work they do not count the time the others
 * take.
 *
 * <p>{@code --compare a:b} adds a table of {@code a} against {@code b} measured in the same rounds: the median of
 * the per-round ratios a/b and of the per-round differences (a - b) / N, each with its quartiles (both are
 * measured, whether named in {@code --impls} or not; with {@code --compare} and no {@code --impls}, only they
 * and raw virtual threads are).
 *
 * <p>{@code taskGroupJfrRecording} is {@code taskGroup} while a JFR recording with taskgroup's shipped settings
 * ({@code META-INF/taskgroup.jfc} of the core jar, or {@code --jfc}) runs: the recording starts before its slice
 * (outside the timing, followed by an untimed settling run of {@value #SETTLE_MS} ms) and is stopped and
 * discarded after it, so the other implementations of the same round run without one.
 * {@code taskGroupJfrRecordingNoTaskEvents} is the same with {@code io.github.taskgroup.TaskFinished} disabled;
 * {@code taskGroupMetricsJfrRecording} is {@code taskGroupMetrics} with the same recording as {@code
 * taskGroupJfrRecording}.
 */
public final class InterleavedForkJoin {

    interface Body {
        Object run(ForkJoinBenchmark b) throws Exception;
    }

    /** Set-up around one slice of an implementation (not timed): returns what to close after the slice. */
    interface Around {
        AutoCloseable open() throws Exception;
    }

    static final Around NOTHING = () -> () -> {};

    record Impl(String name, Body body, Around around) {
        Impl(String name, Body body) {
            this(name, body, NOTHING);
        }
    }

    static final int SETTLE_MS = 5;

    /** {@code --jfc}, or {@code null} for the core jar's {@code META-INF/taskgroup.jfc}; set by {@link #main}. */
    static volatile String jfcPath;

    /**
     * The settings the JFR implementations record with, read at their first slice: a run without them touches
     * no {@code jdk.jfr} class.
     */
    static Configuration jfrSettings; // the main thread only

    static final List<Impl> IMPLS = List.of(
            new Impl("rawVirtualThreads", ForkJoinBenchmark::rawVirtualThreads),
            new Impl("virtualThreadPerTaskExecutor", ForkJoinBenchmark::virtualThreadPerTaskExecutor),
            new Impl("structuredTaskScope", ForkJoinBenchmark::structuredTaskScope),
            new Impl("completableFutureAllOf", ForkJoinBenchmark::completableFutureAllOf),
            new Impl("joxSupervised", ForkJoinBenchmark::joxSupervised),
            new Impl("taskGroup", ForkJoinBenchmark::taskGroup),
            new Impl("taskGroupMetrics", ForkJoinBenchmark::taskGroupMetrics),
            new Impl("taskGroupNoRename", ForkJoinBenchmark::taskGroupNoRename),
            new Impl("taskGroupNoRenameBareExecutor", ForkJoinBenchmark::taskGroupNoRenameBareExecutor),
            // Issue 17: JFR events compiled in (taskGroup) against no JFR listener, and a recording running.
            new Impl("taskGroupNoJfr", ForkJoinBenchmark::taskGroupNoJfr),
            new Impl("taskGroupJfrRecording", ForkJoinBenchmark::taskGroup, () -> startRecording(true)),
            new Impl("taskGroupJfrRecordingNoTaskEvents", ForkJoinBenchmark::taskGroup, () -> startRecording(false)),
            // A recording where a listener already times every task (the metrics): the run time is there already.
            new Impl("taskGroupMetricsJfrRecording", ForkJoinBenchmark::taskGroupMetrics, () -> startRecording(true)),
            new Impl("taskGroupInline", ForkJoinBenchmark::taskGroupInline),
            new Impl("taskGroupInlineNoJfr", ForkJoinBenchmark::taskGroupInlineNoJfr),
            // Issue 15 part 5: admission control and the policy SPI, there but not limiting.
            new Impl("taskGroupMaxConcurrencyUnreached", ForkJoinBenchmark::taskGroupMaxConcurrencyUnreached),
            new Impl("taskGroupSharedLimitUnreached", ForkJoinBenchmark::taskGroupSharedLimitUnreached),
            new Impl("taskGroupOwnPolicy", ForkJoinBenchmark::taskGroupOwnPolicy),
            // Threads born with their task's name (the starter, taskGroup) against renamed ones.
            new Impl("taskGroupRenamingNumberedThreads", ForkJoinBenchmark::taskGroupRenamingNumberedThreads));

    /**
     * Starts a recording with {@link #jfrSettings} (a continuous one: no duration, kept on disk for 1 h).
     * Called by the main thread, between slices.
     *
     * @param taskEvents {@code false}: with {@code io.github.taskgroup.TaskFinished} disabled (groups and
     *        stragglers only)
     */
    static AutoCloseable startRecording(boolean taskEvents) throws IOException, java.text.ParseException {
        if (jfrSettings == null) {
            jfrSettings = loadSettings(jfcPath);
        }
        Recording recording = new Recording(jfrSettings);
        if (!taskEvents) {
            recording.disable("io.github.taskgroup.TaskFinished");
        }
        recording.setName("taskgroup-benchmark");
        recording.setToDisk(true);
        recording.setMaxAge(java.time.Duration.ofHours(1));
        recording.start();
        return () -> {
            recording.stop();
            recording.close();
        };
    }

    static Configuration loadSettings(String path) throws IOException, java.text.ParseException {
        if (path != null) {
            return Configuration.create(Path.of(path));
        }
        InputStream in = InterleavedForkJoin.class.getResourceAsStream("/META-INF/taskgroup.jfc");
        if (in == null) {
            throw new IllegalStateException(
                    "META-INF/taskgroup.jfc is not on the class path (it ships in taskgroup-core); pass --jfc <file>");
        }
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return Configuration.create(reader);
        }
    }

    static volatile Object sink;

    /** What a slice measures, per group: {@code --clock wall} (default), {@code thread} or {@code threads}. */
    enum Clock {
        /** Elapsed time. */
        WALL,
        /**
         * CPU time of the measuring thread: the whole cost only for implementations that run their tasks inline
         * (on the forking thread); unlike elapsed time, it does not count the time other processes take the CPU.
         */
        THREAD,
        /**
         * CPU time of every platform thread of the JVM (the carrier threads of virtual threads, JFR's own
         * threads, not GC or JIT threads), read before and after the slice.
         */
        THREADS;

        long read() {
            return switch (this) {
                case WALL -> System.nanoTime();
                case THREAD -> THREAD_MX.getCurrentThreadCpuTime();
                case THREADS -> {
                    long sum = 0;
                    for (long cpu : THREAD_MX.getThreadCpuTime(THREAD_MX.getAllThreadIds())) {
                        sum += Math.max(0L, cpu); // -1: the thread ended meanwhile
                    }
                    yield sum;
                }
            };
        }
    }

    static final com.sun.management.ThreadMXBean THREAD_MX =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    static Clock clock = Clock.WALL;

    static double slice(ForkJoinBenchmark b, Body body, long sliceNanos) throws Exception {
        long start = System.nanoTime();
        long startClock = clock == Clock.WALL ? start : clock.read();
        long end = start + sliceNanos;
        long ops = 0;
        long now;
        do {
            sink = body.run(b);
            ops++;
            now = System.nanoTime();
        } while (now < end);
        long spent = clock == Clock.WALL ? now - start : clock.read() - startClock;
        return spent / (double) ops;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
    }

    static int indexOf(List<Impl> impls, String name) {
        for (int i = 0; i < impls.size(); i++) {
            if (impls.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("Unknown implementation " + name);
    }

    public static void main(String[] args) throws Exception {
        int[] ns = Arrays.stream(Parking.stringArg(args, "--n", "1,10,100,1000").split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        int rounds = Parking.intArg(args, "--rounds", 60);
        int warmup = Parking.intArg(args, "--warmup-rounds", 15);
        long sliceNanos = Parking.intArg(args, "--slice-ms", 25) * 1_000_000L;
        clock = Clock.valueOf(Parking.stringArg(args, "--clock", "wall").toUpperCase(Locale.ROOT));
        String only = Parking.stringArg(args, "--impls", null);
        String compare = Parking.stringArg(args, "--compare", null);
        List<String[]> pairs = new ArrayList<>();
        List<String> wanted = new ArrayList<>();
        if (only != null) {
            wanted.addAll(Arrays.asList(only.split(",")));
        }
        if (compare != null) {
            for (String pair : compare.split(",")) {
                String[] ab = pair.split(":");
                if (ab.length != 2) {
                    throw new IllegalArgumentException("--compare takes a:b pairs, got " + pair);
                }
                pairs.add(ab);
                wanted.addAll(Arrays.asList(ab));
            }
        }
        for (String name : wanted) {
            if (IMPLS.stream().noneMatch(impl -> impl.name().equals(name))) {
                throw new IllegalArgumentException("Unknown implementation " + name);
            }
        }
        String out = Parking.stringArg(args, "--out", null);
        jfcPath = Parking.stringArg(args, "--jfc", null);
        List<Impl> impls = new ArrayList<>();
        for (Impl impl : IMPLS) {
            if (wanted.isEmpty() || impl.name().equals("rawVirtualThreads") || wanted.contains(impl.name())) {
                impls.add(impl);
            }
        }
        StringBuilder md = new StringBuilder();
        StringBuilder pairTable = new StringBuilder();
        pairTable.append(
                "| N | implementation | against | x against, median of per-round ratios (p25 to p75) | ns/child over it, median of per-round differences (p25 to p75) |\n");
        pairTable.append("|---:|---|---|---:|---:|\n");
        md.append(
                "| N | implementation | median ns/group (p25 to p75) | ns/child | x raw, median of per-round ratios (p25 to p75) | ns/child over raw |\n");
        md.append("|---:|---|---:|---:|---:|---:|\n");
        Random random = new Random(42);
        for (int n : ns) {
            ForkJoinBenchmark b = new ForkJoinBenchmark();
            b.n = n;
            b.setUp();
            double[][] samples = new double[impls.size()][rounds];
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < impls.size(); i++) {
                order.add(i);
            }
            for (int round = -warmup; round < rounds; round++) {
                Collections.shuffle(order, random);
                for (int i : order) {
                    Impl impl = impls.get(i);
                    double value;
                    if (impl.around() == NOTHING) {
                        value = slice(b, impl.body(), sliceNanos);
                    } else {
                        try (AutoCloseable around = impl.around().open()) {
                            slice(b, impl.body(), SETTLE_MS * 1_000_000L); // untimed: let the set-up settle
                            value = slice(b, impl.body(), sliceNanos);
                        }
                    }
                    if (round >= 0) {
                        samples[i][round] = value;
                    }
                }
            }
            b.tearDown();
            double[] raw = samples[0];
            double rawMedian = median(raw);
            for (int i = 0; i < impls.size(); i++) {
                double[] ratios = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratios[r] = samples[i][r] / raw[r];
                }
                double med = median(samples[i]);
                double ratio = median(ratios);
                md.append(String.format(
                        Locale.ROOT,
                        "| %d | %s | %,.0f (%,.0f to %,.0f) | %,.0f | %.2f (%.2f to %.2f) | %+,.0f |%n",
                        n,
                        impls.get(i).name(),
                        med,
                        quantile(samples[i], 0.25),
                        quantile(samples[i], 0.75),
                        med / n,
                        ratio,
                        quantile(ratios, 0.25),
                        quantile(ratios, 0.75),
                        (ratio - 1) * rawMedian / n));
            }
            for (String[] pair : pairs) {
                double[] a = samples[indexOf(impls, pair[0])];
                double[] c = samples[indexOf(impls, pair[1])];
                double[] ratios = new double[rounds];
                double[] perChild = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratios[r] = a[r] / c[r];
                    perChild[r] = (a[r] - c[r]) / n;
                }
                pairTable.append(String.format(
                        Locale.ROOT,
                        "| %d | %s | %s | %.3f (%.3f to %.3f) | %+,.1f (%+,.1f to %+,.1f) |%n",
                        n,
                        pair[0],
                        pair[1],
                        median(ratios),
                        quantile(ratios, 0.25),
                        quantile(ratios, 0.75),
                        median(perChild),
                        quantile(perChild, 0.25),
                        quantile(perChild, 0.75)));
            }
            System.out.print(md);
            if (!pairs.isEmpty()) {
                System.out.print(pairTable);
            }
            System.out.flush();
        }
        if (!pairs.isEmpty()) {
            md.append('\n').append(pairTable);
        }
        md.append(String.format(
                Locale.ROOT,
                "%n%d rounds of %d ms slices per implementation and N, shuffled order, after %d warm-up rounds, clock "
                        + clock.name().toLowerCase(Locale.ROOT)
                        + "; "
                        + "\"ns/child over raw\" = (median ratio - 1) x median raw ns/group / N.%n",
                rounds,
                sliceNanos / 1_000_000,
                warmup));
        if (out != null) {
            Files.writeString(Path.of(out), md);
        }
    }
}
