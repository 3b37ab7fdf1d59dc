package io.github.taskgroup.benchmarks;

import java.util.Arrays;

/** Helpers shared by the harnesses that run outside JMH. */
final class Parking {

    private Parking() {}

    /** Spins until every slot holds a thread in the given state (parked, sleeping). */
    static void awaitAll(Thread[] threads, Thread.State state) {
        for (int i = 0; i < threads.length; i++) {
            Thread thread;
            while ((thread = threads[i]) == null || thread.getState() != state) {
                Thread.yield();
            }
        }
    }

    static long percentile(long[] sorted, double p) {
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    static String micros(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1000.0);
    }

    /** "median (p10 to p90)" in microseconds. */
    static String summary(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return micros(percentile(sorted, 0.5)) + " (" + micros(percentile(sorted, 0.1)) + " to "
                + micros(percentile(sorted, 0.9)) + ")";
    }

    static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return percentile(sorted, 0.5);
    }

    static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }

    static String stringArg(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
