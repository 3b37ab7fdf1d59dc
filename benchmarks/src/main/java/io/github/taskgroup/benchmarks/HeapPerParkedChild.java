package io.github.taskgroup.benchmarks;

import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue 7, measurement 3: heap retained per parked child. {@code children} children wait on one
 * {@link CountDownLatch}; once every one of them is parked (thread state WAITING), we force full
 * collections and read the used heap, and subtract the used heap measured the same way just before
 * forking. Every child runs the same shared body object and registers its thread in a preallocated
 * array, so the raw and the taskgroup runs hold the same benchmark-side objects: the difference is
 * what the library keeps per child, plus the deeper stack its frames add to each parked virtual thread
 * (a parked virtual thread's frames live in the heap, in its stack chunk). Run with -XX:+UseSerialGC so
 * that "used after a full GC" is exact.
 */
public final class HeapPerParkedChild {

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private final int children;
    private final Thread[] threads;
    private final AtomicInteger slot = new AtomicInteger();
    private CountDownLatch gate;
    private final Runnable body;
    private final Callable<Object> callable;

    private HeapPerParkedChild(int children) {
        this.children = children;
        this.threads = new Thread[children];
        this.body = () -> {
            threads[slot.getAndIncrement()] = Thread.currentThread();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        this.callable = () -> {
            body.run();
            return null;
        };
    }

    private void reset() {
        java.util.Arrays.fill(threads, null);
        slot.set(0);
        gate = new CountDownLatch(1);
    }

    static long usedAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(20);
            used = Math.min(used, MEMORY.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** Bytes per parked child with raw virtual threads. */
    double raw() throws InterruptedException {
        reset();
        Thread[] started = new Thread[children];
        long before = usedAfterGc();
        for (int i = 0; i < children; i++) {
            started[i] = Thread.ofVirtual().start(body);
        }
        Parking.awaitAll(threads, Thread.State.WAITING);
        long after = usedAfterGc();
        gate.countDown();
        for (Thread thread : started) {
            thread.join();
        }
        return (after - before) / (double) children;
    }

    /** Bytes per parked child in a task group (the group's own fixed cost is spread over the children). */
    double taskGroup(TaskGroupFactory factory) throws InterruptedException {
        reset();
        Thread[] unused = new Thread[children]; // the same array the raw run keeps for join
        long before = usedAfterGc();
        try (TaskGroup group = factory.open("parked", TaskGroupOptions.defaults())) {
            for (int i = 0; i < children; i++) {
                group.fork(callable);
            }
            Parking.awaitAll(threads, Thread.State.WAITING);
            long after = usedAfterGc();
            gate.countDown();
            group.join();
            unused[0] = null;
            return (after - before) / (double) children;
        }
    }

    public static void main(String[] args) throws Exception {
        int children = Parking.intArg(args, "--children", 1000);
        int rounds = Parking.intArg(args, "--rounds", 7);
        String out = Parking.stringArg(args, "--out", null);
        HeapPerParkedChild harness = new HeapPerParkedChild(children);
        // The library's defaults: on JDK 21+ the default executor starts a virtual thread per task.
        TaskGroupFactory factory = TaskGroupFactory.builder().build();
        TaskGroupFactory noRename =
                TaskGroupFactory.builder().renameThreads(false).build();
        // Diagnostic: no rename, and an executor that only starts a virtual thread (no executor-side registry).
        TaskGroupFactory bare = TaskGroupFactory.builder()
                .executor(runnable -> Thread.ofVirtual().start(runnable))
                .renameThreads(false)
                .build();
        // Warm-up: class loading and the JIT. A parked thread's frames are copied into its heap stack chunk
        // as they are, so what this measures depends on how far the JIT got: after a few rounds every frame
        // is compiled, and the figures repeat to the byte from round to round (one round left them up to
        // 50 B per child apart from one variant of the core to the next).
        int warmup = Parking.intArg(args, "--warmup", 10);
        for (int i = 0; i < warmup; i++) {
            harness.raw();
            harness.taskGroup(factory);
            harness.taskGroup(noRename);
            harness.taskGroup(bare);
        }
        double[] raw = new double[rounds];
        double[] tg = new double[rounds];
        double[] tgNoRename = new double[rounds];
        double[] tgBare = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            raw[round] = harness.raw();
            tg[round] = harness.taskGroup(factory);
            tgNoRename[round] = harness.taskGroup(noRename);
            tgBare[round] = harness.taskGroup(bare);
        }
        bare.close();
        factory.close();
        noRename.close();
        double rawMedian = median(raw);
        double tgMedian = median(tg);
        double nrMedian = median(tgNoRename);
        StringBuilder md = new StringBuilder();
        md.append("| implementation | bytes per parked child, median (min to max) | above raw |\n");
        md.append("|---|---:|---:|\n");
        md.append(row("raw virtual threads", raw, rawMedian, rawMedian));
        md.append(row("taskgroup (defaults)", tg, tgMedian, rawMedian));
        md.append(row("taskgroup, renameThreads(false)", tgNoRename, nrMedian, rawMedian));
        md.append(row(
                "taskgroup, renameThreads(false), bare virtual-thread executor", tgBare, median(tgBare), rawMedian));
        md.append(String.format(
                Locale.ROOT,
                "%n%d rounds of %d children parked on a latch after %d warm-up rounds,"
                        + " -XX:+UseSerialGC. Target: at most 150 B above raw: %s.%n",
                rounds,
                children,
                warmup,
                tgMedian - rawMedian <= 150 ? "met" : "MISSED"));
        System.out.print(md);
        if (out != null) {
            Files.writeString(Path.of(out), md);
        }
    }

    private static String row(String name, double[] values, double median, double rawMedian) {
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (double v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return String.format(
                Locale.ROOT, "| %s | %.0f (%.0f to %.0f) | %+.0f |%n", name, median, min, max, median - rawMedian);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
