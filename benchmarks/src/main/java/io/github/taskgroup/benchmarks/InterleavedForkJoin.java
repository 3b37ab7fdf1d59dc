package io.github.taskgroup.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A companion to {@link ForkJoinBenchmark} for a noisy, shared machine: instead of measuring each
 * implementation for seconds at a time (so that a neighbour's build can land on one line and not on
 * another), it runs every implementation for a short slice (default 25 ms), in a shuffled order, round
 * after round, in one JVM, and reports the median of each implementation's slices and the median of its
 * per-round ratio to raw virtual threads measured in the same round. The benchmark bodies are exactly
 * the JMH ones. Usage: {@code InterleavedForkJoin [--n 1,10,100,1000] [--rounds 60] [--slice-ms 25]
 * [--warmup-rounds 15] [--out file.md]}.
 */
public final class InterleavedForkJoin {

    interface Body {
        Object run(ForkJoinBenchmark b) throws Exception;
    }

    record Impl(String name, Body body) {}

    static final List<Impl> IMPLS = List.of(
            new Impl("rawVirtualThreads", ForkJoinBenchmark::rawVirtualThreads),
            new Impl("virtualThreadPerTaskExecutor", ForkJoinBenchmark::virtualThreadPerTaskExecutor),
            new Impl("structuredTaskScope", ForkJoinBenchmark::structuredTaskScope),
            new Impl("completableFutureAllOf", ForkJoinBenchmark::completableFutureAllOf),
            new Impl("joxSupervised", ForkJoinBenchmark::joxSupervised),
            new Impl("taskGroup", ForkJoinBenchmark::taskGroup),
            new Impl("taskGroupMetrics", ForkJoinBenchmark::taskGroupMetrics),
            new Impl("taskGroupNoRename", ForkJoinBenchmark::taskGroupNoRename),
            new Impl("taskGroupNoRenameBareExecutor", ForkJoinBenchmark::taskGroupNoRenameBareExecutor));

    static volatile Object sink;

    static double slice(ForkJoinBenchmark b, Body body, long sliceNanos) throws Exception {
        long start = System.nanoTime();
        long end = start + sliceNanos;
        long ops = 0;
        long now;
        do {
            sink = body.run(b);
            ops++;
            now = System.nanoTime();
        } while (now < end);
        return (now - start) / (double) ops;
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

    public static void main(String[] args) throws Exception {
        int[] ns = Arrays.stream(Parking.stringArg(args, "--n", "1,10,100,1000").split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        int rounds = Parking.intArg(args, "--rounds", 60);
        int warmup = Parking.intArg(args, "--warmup-rounds", 15);
        long sliceNanos = Parking.intArg(args, "--slice-ms", 25) * 1_000_000L;
        String only = Parking.stringArg(args, "--impls", null);
        String out = Parking.stringArg(args, "--out", null);
        List<Impl> impls = new ArrayList<>();
        for (Impl impl : IMPLS) {
            if (only == null
                    || impl.name().equals("rawVirtualThreads")
                    || Arrays.asList(only.split(",")).contains(impl.name())) {
                impls.add(impl);
            }
        }
        StringBuilder md = new StringBuilder();
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
                    double value = slice(b, impls.get(i).body(), sliceNanos);
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
            System.out.print(md);
            System.out.flush();
        }
        md.append(String.format(
                Locale.ROOT,
                "%n%d rounds of %d ms slices per implementation and N, shuffled order, after %d warm-up rounds; "
                        + "\"ns/child over raw\" = (median ratio - 1) x median raw ns/group / N.%n",
                rounds,
                sliceNanos / 1_000_000,
                warmup));
        if (out != null) {
            Files.writeString(Path.of(out), md);
        }
    }
}
